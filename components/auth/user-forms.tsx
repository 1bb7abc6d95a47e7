"use client";
import { useRef } from "react";
// /users: the new-user form and the per-row role picker.
import { useRouter } from "next/navigation";
import { fieldError } from "@/lib/schemas/action-result";
import { PASSWORD_MIN, ROLES } from "@/lib/schemas/auth";
import { FormBanner, SelectField, SubmitButton, TextField } from "@/components/forms/fields";
import { useActionForm, type FormAction } from "@/components/forms/use-action-form";
import { buttonClass } from "@/components/ui/button";

const roleOptions = ROLES.map((r) => ({ value: r, label: r }));

export function NewUserForm({ action }: { action: FormAction<unknown> }) {
  const router = useRouter();
  const wrap = useRef<HTMLDivElement>(null);
  const { failed, pending, ready, formProps, state } = useActionForm(action, () => {
    wrap.current?.querySelector("form")?.reset();
    router.refresh();
  });
  return (
    <div ref={wrap}>
    <form
      {...formProps}
      aria-label="New user"
      className="grid gap-3 md:grid-cols-5 md:items-end"
    >
      <div className="md:col-span-5">
        <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
        {state?.ok && (
          <p role="status" className="mb-2 text-[13px] text-emerald-700">
            User created.
          </p>
        )}
      </div>
      <TextField id="user-email" name="email" type="email" label="Email" autoComplete="off" required errors={fieldError(failed, "email")} />
      <TextField id="user-name" name="name" label="Name" autoComplete="off" required errors={fieldError(failed, "name")} />
      <TextField id="user-password" name="password" type="password" label="Password" autoComplete="new-password" hint={`${PASSWORD_MIN}+ characters`} required errors={fieldError(failed, "password")} />
      <SelectField id="user-role" name="role" label="Role" options={roleOptions} defaultValue="viewer" errors={fieldError(failed, "role")} />
      <SubmitButton pending={pending} ready={ready} pendingLabel="Creating…">
        Create user
      </SubmitButton>
    </form>
    </div>
  );
}

export function RolePicker({ id, role, email, action }: { id: string; role: string; email: string; action: FormAction<unknown> }) {
  const router = useRouter();
  const { failed, pending, ready, formProps } = useActionForm(action, () => router.refresh());
  return (
    <form {...formProps} aria-label={`Role of ${email}`} className="flex items-center gap-1.5">
      <input type="hidden" name="id" value={id} />
      <label htmlFor={`role-${id}`} className="sr-only">
        Role of {email}
      </label>
      <select id={`role-${id}`} name="role" defaultValue={role} className="h-7 rounded-md border border-zinc-300 bg-white px-1.5 text-[12.5px]">
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" disabled={!ready || pending} className={buttonClass("secondary", "sm")}>
        {pending ? "…" : "Set"}
      </button>
      {failed?.formError && (
        <span role="alert" className="text-[11.5px] text-red-700">
          {failed.formError}
        </span>
      )}
    </form>
  );
}
