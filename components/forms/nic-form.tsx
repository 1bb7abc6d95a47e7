"use client";
// Add or edit one NIC of a host, and set or clear its SR-IOV tag (on the host's edit page).
import { useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import type { ActionResult } from "@/lib/schemas/action-result";
import type { NicRetagPreview } from "@/lib/server/queries/nic-retag";
import { humanizeText } from "@/lib/display/text";
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

export type PreviewNicTag = (nicId: string, tag: string) => Promise<ActionResult<NicRetagPreview>>;

/**
 * Inline SR-IOV tag editor of one NIC: set a tag (created if new) or clear it. "Set tag" shows first what the change does — the VFs leaving and joining
 * each tag, the VMs holding its VFs, the VMs whose HA eligibility flips — and saves on confirmation.
 */
export function NicTagForm({
  nic,
  setAction,
  clearAction,
  previewAction,
}: {
  nic: { id: string; name: string; tag: string | null };
  setAction: FormAction<unknown>;
  clearAction: FormAction<unknown>;
  previewAction: PreviewNicTag;
}) {
  const router = useRouter();
  const [preview, setPreview] = useState<NicRetagPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [previewing, startPreview] = useTransition();
  const input = useRef<HTMLInputElement>(null);
  const { state: setState, pending: setPending, failed: setFailed, ready, formProps } = useActionForm(setAction, () => {
    setPreview(null);
    router.refresh();
  });
  const { pending: clearPending, submit: submitClear, failed: clearFailed } = useActionForm(clearAction, () => {
    setPreview(null);
    router.refresh();
  });
  const errors =
    fieldError(setState, "tag", "nicId") ?? (setFailed?.formError ? [setFailed.formError] : undefined) ?? (clearFailed?.formError ? [clearFailed.formError] : undefined) ?? (previewError ? [previewError] : undefined);
  const id = `nic-tag-${nic.id}`;
  const ask = (tag: string) => {
    setPreviewError(null);
    startPreview(async () => {
      try {
        const r = await previewAction(nic.id, tag);
        if (r.ok) setPreview(r.data);
        else setPreviewError(r.formError ?? "The preview could not be computed");
      } catch {
        setPreviewError("The console did not answer; try again");
      }
    });
  };
  return (
    <form {...formProps} aria-label={`SR-IOV tag of ${nic.name}`} className="min-w-56">
      <input type="hidden" name="nicId" value={nic.id} />
      <div className="flex items-center gap-1.5">
        <label htmlFor={id} className="sr-only">
          SR-IOV tag of {nic.name}
        </label>
        <input
          ref={input}
          name="tag"
          key={nic.tag ?? ""}
          defaultValue={nic.tag ?? ""}
          placeholder="no tag"
          onChange={() => setPreview(null)}
          className={cn(inputClass.replace("h-8 w-full", "h-7 w-44"), "text-[12.5px]")}
          {...controlAria(id, errors)}
        />
        {!preview && (
          <button type="button" disabled={setPending || previewing || !ready} className={buttonClass("secondary", "sm")} onClick={() => ask(input.current?.value ?? "")}>
            {previewing ? "Checking…" : "Set tag…"}
          </button>
        )}
        {setState?.ok && setState.data !== undefined && (setState.data as { tag?: string | null }).tag === nic.tag && (
          <span role="status" className="text-[12px] text-emerald-700">
            Saved
          </span>
        )}
        {nic.tag && !preview && (
          <button type="button" disabled={clearPending || !ready} onClick={() => ask("")} className={buttonClass("ghost", "sm")}>
            Clear…
          </button>
        )}
      </div>
      <FieldErrorText id={id} errors={errors} />
      {preview && (
        <div className="mt-2 max-w-md rounded-md border border-amber-300 bg-amber-50/70 px-3 py-2 text-[12.5px] text-zinc-800" data-testid="nic-retag-preview" role="region" aria-label={`What re-tagging ${nic.name} changes`}>
          <p className="font-medium text-zinc-900">
            {preview.from === preview.to
              ? "The tag does not change."
              : `${nic.name}: ${preview.from ? `"${preview.from}"` : "no tag"} → ${preview.to ? `"${preview.to}"` : "no tag"} (${preview.nic.vfs} VF${preview.nic.vfs === 1 ? "" : "s"})`}
          </p>
          {preview.tags.length > 0 && preview.from !== preview.to && (
            <ul className="mt-1 space-y-0.5" data-testid="nic-retag-tags">
              {preview.tags.map((t) => (
                <li key={t.tag}>
                  SR-IOV VFs tagged &quot;{t.tag}&quot; in the cluster: {t.before} → {t.after}
                </li>
              ))}
            </ul>
          )}
          {preview.holders.length > 0 && (
            <p className="mt-1">
              Its VFs are held by {preview.holders.map((h) => h.name).join(", ")}: they keep them; rebuilds and power-ons follow the new tag.
            </p>
          )}
          {preview.flips.length > 0 ? (
            <ul className="mt-1 space-y-0.5" data-testid="nic-retag-flips">
              {preview.flips.map((f) => (
                <li key={f.id}>
                  <strong>{f.name}</strong> {f.after ? "becomes HA-eligible" : `is no longer HA-eligible${f.reasons.length ? `: ${humanizeText(f.reasons[0])}` : ""}`}
                </li>
              ))}
            </ul>
          ) : (
            preview.from !== preview.to && <p className="mt-1 text-zinc-600">No VM&apos;s HA eligibility changes.</p>
          )}
          <div className="mt-2 flex gap-2">
            {preview.to === null ? (
              <button type="button" disabled={clearPending || !ready} onClick={() => submitClear({ nicId: nic.id })} className={buttonClass("primary", "sm")}>
                {clearPending ? "Clearing…" : "Clear tag"}
              </button>
            ) : (
              <button type="submit" disabled={setPending || !ready || preview.from === preview.to} className={buttonClass("primary", "sm")}>
                {setPending ? "Saving…" : "Save tag"}
              </button>
            )}
            <button type="button" className={buttonClass("ghost", "sm")} onClick={() => setPreview(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
