"use client";
// Settings → API tokens: the form that issues a personal API token, and the one-time display of
// the token it answers (it is never shown again: only its hash is kept).
import { useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { fieldError } from "@/lib/schemas/action-result";
import { ROLES, roleAtLeast, type Role } from "@/lib/schemas/auth";
import { API_TOKEN_EXPIRY_CHOICES } from "@/lib/schemas/api-tokens";
import { FormBanner, SelectField, SubmitButton, TextField } from "@/components/forms/fields";
import { useActionForm, type FormAction } from "@/components/forms/use-action-form";
import { buttonClass } from "@/components/ui/button";

export interface IssuedTokenData {
  token: string;
  name: string;
  role: Role;
  expiresAt: string | null;
}

export function NewApiTokenForm({ action, myRole, origin }: { action: FormAction<IssuedTokenData>; myRole: Role; origin: string }) {
  const router = useRouter();
  const wrap = useRef<HTMLDivElement>(null);
  const [issued, setIssued] = useState<IssuedTokenData | null>(null);
  const [copied, setCopied] = useState(false);
  const { failed, pending, ready, formProps } = useActionForm(action, (data) => {
    setIssued(data);
    setCopied(false);
    wrap.current?.querySelector("form")?.reset();
    router.refresh();
  });
  const roles = ROLES.filter((r) => roleAtLeast(myRole, r)).map((r) => ({ value: r, label: r }));
  const expiries = API_TOKEN_EXPIRY_CHOICES.map((d) => ({ value: String(d), label: d === 365 ? "1 year" : `${d} days` }));
  return (
    <div ref={wrap}>
      <form {...formProps} aria-label="New API token" className="grid gap-3 md:grid-cols-4 md:items-end">
        <div className="md:col-span-4">
          <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
        </div>
        <TextField id="token-name" name="name" label="Name" placeholder="e.g. nightly-report" autoComplete="off" required errors={fieldError(failed, "name")} />
        <SelectField id="token-role" name="role" label="Role" hint="At most your own" options={roles} defaultValue="viewer" errors={fieldError(failed, "role")} />
        <SelectField id="token-expiry" name="expiresInDays" label="Expires after" options={expiries} defaultValue="90" errors={fieldError(failed, "expiresInDays")} />
        <SubmitButton pending={pending} ready={ready} pendingLabel="Creating…">
          Create token
        </SubmitButton>
      </form>
      {issued && (
        <div role="status" aria-label="New token" className="mt-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-[13px] text-emerald-900">
          <p className="font-medium">
            Token “{issued.name}” ({issued.role}) created. Copy it now: it is not shown again.
          </p>
          <div className="mt-2 flex items-center gap-2">
            <code data-testid="new-api-token" className="select-all break-all rounded bg-white px-2 py-1 font-mono text-[12px] text-zinc-900 ring-1 ring-emerald-200">
              {issued.token}
            </code>
            <button
              type="button"
              className={buttonClass("secondary", "sm")}
              onClick={() => {
                void navigator.clipboard?.writeText(issued.token).then(() => setCopied(true));
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
          <p className="mt-2 text-[12px] text-emerald-800">
            Use it as <code className="font-mono">curl -H &quot;Authorization: Bearer {issued.token.slice(0, 12)}…&quot; {origin}/api/v1/hosts</code>
          </p>
        </div>
      )}
    </div>
  );
}
