"use client";
// Add or edit one NIC of a host, and set or clear its SR-IOV tag (on the host's edit page).
import { useRouter } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { fieldError } from "@/lib/schemas/action-result";
import { FieldErrorText, FormBanner, SelectField, SubmitButton, TextField, controlAria, inputClass } from "./fields";
import { useActionForm, type FormAction } from "./use-action-form";
import { cn } from "@/components/ui/cn";

export interface NicFormValues {
  id?: string;
  name: string;
  role: string;
  sriovVfs: number;
  tag: string | null;
  bond: string | null;
  speedGbps: number | null;
}

export function NicForm({
  action,
  hostId,
  initial,
  onDone,
  onCancel,
}: {
  action: FormAction<{ id: string }>;
  hostId: string;
  initial?: NicFormValues;
  onDone: () => void;
  onCancel: () => void;
}) {
  const router = useRouter();
  const { state, pending, failed, ready, formProps } = useActionForm(action, () => {
    router.refresh();
    onDone();
  });
  const err = (...n: string[]) => fieldError(state, ...n);
  const p = initial?.id ? `nic-${initial.id}` : "nic-new";
  return (
    <form {...formProps} aria-label={initial?.id ? `Edit NIC ${initial.name}` : "Add NIC"} className="rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {initial?.id ? <input type="hidden" name="id" value={initial.id} /> : <input type="hidden" name="hostId" value={hostId} />}
      <div className="grid gap-3 sm:grid-cols-3">
        <TextField id={`${p}-name`} name="name" label="Interface" required defaultValue={initial?.name ?? ""} placeholder="ens1f0" errors={err("name")} />
        <SelectField
          id={`${p}-role`}
          name="role"
          label="Role"
          defaultValue={initial?.role ?? "vm"}
          options={[
            { value: "vm", label: "VM traffic" },
            { value: "storage", label: "Storage" },
            { value: "management", label: "Management" },
          ]}
          errors={err("role")}
        />
        <TextField id={`${p}-vfs`} name="sriovVfs" label="SR-IOV VFs" type="number" min={0} max={256} defaultValue={initial?.sriovVfs ?? 0} errors={err("sriovVfs")} />
        <TextField id={`${p}-tag`} name="tag" label="SR-IOV tag" defaultValue={initial?.tag ?? ""} placeholder="trading-a" hint="All its VFs carry it" errors={err("tag")} />
        <TextField id={`${p}-bond`} name="bond" label="Bond" defaultValue={initial?.bond ?? ""} placeholder="stor0" errors={err("bond")} />
        <TextField id={`${p}-speed`} name="speedGbps" label="Speed (Gbit/s)" type="number" min={1} defaultValue={initial?.speedGbps ?? ""} errors={err("speedGbps")} />
      </div>
      <div className="mt-3 flex gap-2">
        <SubmitButton pending={pending} ready={ready}>{initial?.id ? "Save NIC" : "Add NIC"}</SubmitButton>
        <button type="button" onClick={onCancel} className={buttonClass("ghost")}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Inline SR-IOV tag editor of one NIC: set a tag (created if new) or clear it. */
export function NicTagForm({
  nic,
  setAction,
  clearAction,
}: {
  nic: { id: string; name: string; tag: string | null };
  setAction: FormAction<unknown>;
  clearAction: FormAction<unknown>;
}) {
  const router = useRouter();
  const { state: setState, pending: setPending, failed: setFailed, ready, formProps } = useActionForm(setAction, () => router.refresh());
  const { pending: clearPending, submit: submitClear, failed: clearFailed } = useActionForm(clearAction, () => router.refresh());
  const errors = fieldError(setState, "tag", "nicId") ?? (setFailed?.formError ? [setFailed.formError] : undefined) ?? (clearFailed?.formError ? [clearFailed.formError] : undefined);
  const id = `nic-tag-${nic.id}`;
  return (
    <form {...formProps} aria-label={`SR-IOV tag of ${nic.name}`} className="min-w-56">
      <input type="hidden" name="nicId" value={nic.id} />
      <div className="flex items-center gap-1.5">
        <label htmlFor={id} className="sr-only">
          SR-IOV tag of {nic.name}
        </label>
        <input
          name="tag"
          key={nic.tag ?? ""}
          defaultValue={nic.tag ?? ""}
          placeholder="no tag"
          className={cn(inputClass.replace("h-8 w-full", "h-7 w-44"), "text-[12.5px]")}
          {...controlAria(id, errors)}
        />
        <button type="submit" disabled={setPending || !ready} className={buttonClass("secondary", "sm")}>
          {setPending ? "Saving…" : "Set tag"}
        </button>
        {setState?.ok && setState.data !== undefined && (setState.data as { tag?: string | null }).tag === nic.tag && (
          <span role="status" className="text-[12px] text-emerald-700">
            Saved
          </span>
        )}
        {nic.tag && (
          <button type="button" disabled={clearPending || !ready} onClick={() => submitClear({ nicId: nic.id })} className={buttonClass("ghost", "sm")}>
            {clearPending ? "Clearing…" : "Clear"}
          </button>
        )}
      </div>
      <FieldErrorText id={id} errors={errors} />
    </form>
  );
}
