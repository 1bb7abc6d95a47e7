"use client";
// HA settings form: policy (mode, fault tolerance, reservation) and timings, checked as the
// admin types (the isolation-timeout rule next to its field), with the consequence computed by
// the engine on the cluster as it is now — before anything is saved.
import { useEffect, useMemo, useRef, useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { CheckCircle2, CircleAlert, Info, ShieldAlert, ShieldCheck } from "lucide-react";
import { ZHaSettingsInput } from "@/lib/schemas/ha-settings";
import type { ActionFieldErrors } from "@/lib/schemas/action-result";
import type { HaPreview, HaSettings, SaveHaSettingsResult } from "@/lib/server/settings";
import type { ActionResult } from "@/lib/schemas/action-result";
import type { FormAction } from "@/components/forms/use-action-form";
import { useActionForm } from "@/components/forms/use-action-form";
import { Field, FieldErrorText, FormBanner, SubmitButton, controlAria, inputClass } from "@/components/forms/fields";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { entityLink } from "@/components/ui/table";
import { fmtMiB, fmtInt } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

type Values = {
  haMode: string;
  faultTolerance: string;
  reservation: string;
  heartbeatS: string;
  missedHeartbeats: string;
  failureTimeoutS: string;
  isolationTimeoutS: string;
  vmStartS: string;
  failback: string;
  restartMaxRestarts: string;
  restartMaxRelocations: string;
  maintenanceRebuildAfterS: string;
};

const toValues = (s: HaSettings): Values => ({
  haMode: s.haMode,
  faultTolerance: String(s.faultTolerance),
  reservation: s.reservation,
  heartbeatS: String(s.heartbeatS),
  missedHeartbeats: String(s.missedHeartbeats),
  failureTimeoutS: String(s.failureTimeoutS),
  isolationTimeoutS: String(s.isolationTimeoutS),
  vmStartS: String(s.vmStartS),
  failback: s.failback ? "true" : "false",
  restartMaxRestarts: String(s.restartMaxRestarts),
  restartMaxRelocations: s.restartMaxRelocations === null ? "" : String(s.restartMaxRelocations),
  maintenanceRebuildAfterS: s.maintenanceRebuildAfterS === null ? "" : String(s.maintenanceRebuildAfterS),
});

const FAILBACK = [
  { value: "true", label: "On", hint: "Standard VMs live-migrate back to their preferred host when it has room; maintenance exit brings back the VMs it moved" },
  { value: "false", label: "Off", hint: "VMs stay where a failover or a maintenance put them (a placement group may still opt in)" },
];

const MODES = [
  { value: "default", label: "Default", hint: "Restart the VMs of a failed host wherever resources allow." },
  { value: "guarantee", label: "Guarantee", hint: "Keep a reserve so that any FT host failures can be absorbed; refuse power-ons that would break it." },
  { value: "disabled", label: "Disabled", hint: "No VM is restarted when its host fails; no isolation response." },
];
function modeLabel(v: string): string {
  return MODES.find((m) => m.value === v)?.label ?? v;
}

const FTS = [
  { value: "1", label: "FT1 · RF2", hint: "Absorb one host failure" },
  { value: "2", label: "FT2 · RF3", hint: "Absorb two simultaneous host failures" },
];
const RESERVATIONS = [
  { value: "host", label: "Host-based", hint: "The largest host's worth × FT, spread evenly over the others" },
  { value: "segment", label: "Segment-based", hint: "What each host would receive in the worst failure set" },
];

const DEBOUNCE_MS = 400;

/** The settings form's server actions (passed in by the page). */
export interface HaSettingsActions {
  preview: (input: FormData | Record<string, unknown>) => Promise<ActionResult<HaPreview>>;
  save: FormAction<SaveHaSettingsResult>;
}

export function HaSettingsForm({ initial, canEdit, actions }: { initial: HaSettings; canEdit: boolean; actions: HaSettingsActions }) {
  const router = useRouter();
  const [values, setValues] = useState<Values>(() => toValues(initial));
  // After a save the page re-renders with the stored settings: take them (the saved note stays).
  const [seenVersion, setSeenVersion] = useState(initial.updatedAt);
  if (initial.updatedAt !== seenVersion) {
    setSeenVersion(initial.updatedAt);
    setValues(toValues(initial));
  }
  const [saved, setSaved] = useState<SaveHaSettingsResult | null>(null);
  const { state, pending, failed, formProps, ready } = useActionForm<SaveHaSettingsResult>(actions.save, (data) => {
    setSaved(data);
    router.refresh();
  });

  const check = useMemo(() => ZHaSettingsInput.safeParse(values), [values]);
  const clientErrors: ActionFieldErrors = useMemo(() => {
    if (check.success) return {};
    const out: ActionFieldErrors = {};
    for (const i of check.error.issues) {
      const k = String(i.path[0] ?? "_form");
      (out[k] ??= []).push(i.message);
    }
    return out;
  }, [check]);
  // Field errors: what the admin is typing now wins; the server's answer shows while the field is as submitted.
  const [submitted, setSubmitted] = useState<Values | null>(null);
  const err = (k: keyof Values) => clientErrors[k] ?? (failed?.fieldErrors?.[k] && submitted?.[k] === values[k] ? failed.fieldErrors[k] : undefined);

  const dirty = (Object.keys(values) as (keyof Values)[]).some((k) => values[k] !== toValues(initial)[k]);
  // A change of HA mode changes what happens at the next host failure: the admin confirms it.
  const modeChange = values.haMode !== toValues(initial).haMode ? { from: modeLabel(toValues(initial).haMode), to: modeLabel(values.haMode) } : null;
  const [modeAck, setModeAck] = useState<string | null>(null);
  const modeConfirmed = !modeChange || modeAck === values.haMode;

  // The consequence, computed on the server as the form changes (debounced; stale answers dropped).
  const [preview, setPreview] = useState<HaPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [previewing, startPreview] = useTransition();
  const seq = useRef(0);
  useEffect(() => {
    if (!canEdit || !check.success) return;
    const my = ++seq.current;
    const t = setTimeout(() => {
      startPreview(async () => {
        const r = await actions.preview(values);
        if (my !== seq.current) return;
        if (r.ok) {
          setPreview(r.data);
          setPreviewError(null);
        } else setPreviewError(r.formError ?? "The consequence could not be computed");
      });
    }, DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [values, canEdit, check.success]);

  const set = (k: keyof Values) => (v: string) => {
    setSaved(null);
    setValues((cur) => ({ ...cur, [k]: v }));
  };

  const hb = Number(values.heartbeatS);
  const missed = Number(values.missedHeartbeats);
  const fto = Number(values.failureTimeoutS);
  const detect = Number.isFinite(hb * missed + fto) ? Math.round((hb * missed + fto) * 1000) / 1000 : null;

  return (
    <div className="grid grid-cols-1 gap-3 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      <form
        {...formProps}
        aria-label="HA settings"
        onSubmit={(e) => {
          setSubmitted(values);
          formProps.onSubmit(e);
        }}
      >
        <Card>
          <CardHeader title="Policy" note={initial.clusterName} />
          <CardBody className="space-y-4">
            {failed && <FormBanner message={failed.formError} fieldErrors={failed.fieldErrors} />}
            {!canEdit && (
              <p className="flex items-center gap-2 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-[12.5px] text-zinc-600">
                <Info aria-hidden className="size-4 text-zinc-400" /> Only an admin can change the HA settings.
              </p>
            )}
            <RadioCards name="haMode" legend="HA mode" options={MODES} value={values.haMode} onChange={set("haMode")} disabled={!canEdit} errors={err("haMode")} />
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <RadioCards name="faultTolerance" legend="Fault tolerance" options={FTS} value={values.faultTolerance} onChange={set("faultTolerance")} disabled={!canEdit} errors={err("faultTolerance")} compact />
              <RadioCards
                name="reservation"
                legend="Reservation (Guarantee mode)"
                options={RESERVATIONS}
                value={values.reservation}
                onChange={set("reservation")}
                disabled={!canEdit}
                errors={err("reservation")}
                compact
              />
            </div>
          </CardBody>
        </Card>

        <Card className="mt-3">
          <CardHeader title="Timings" note="failure detection and recovery" />
          <CardBody>
            <div className="grid grid-cols-1 gap-x-4 gap-y-3 sm:grid-cols-2 lg:grid-cols-3">
              <NumberField id="ha-heartbeat" name="heartbeatS" label="Heartbeat interval" unit="s" value={values.heartbeatS} onChange={set("heartbeatS")} errors={err("heartbeatS")} disabled={!canEdit} step="0.1" hint="How often agents heartbeat" />
              <NumberField id="ha-missed" name="missedHeartbeats" label="Missed heartbeats" unit="×" value={values.missedHeartbeats} onChange={set("missedHeartbeats")} errors={err("missedHeartbeats")} disabled={!canEdit} step="1" hint="Silent this long: unreachable" />
              <NumberField id="ha-failure" name="failureTimeoutS" label="Failure timeout" unit="s" value={values.failureTimeoutS} onChange={set("failureTimeoutS")} errors={err("failureTimeoutS")} disabled={!canEdit} step="1" hint="Countdown before failed" />
              <NumberField
                id="ha-isolation"
                name="isolationTimeoutS"
                label="Isolation timeout"
                unit="s"
                value={values.isolationTimeoutS}
                onChange={set("isolationTimeoutS")}
                errors={err("isolationTimeoutS")}
                disabled={!canEdit}
                step="1"
                hint={detect !== null ? `Must stay below ${detect} s (missed × heartbeat + failure timeout)` : "Must stay below missed × heartbeat + failure timeout"}
              />
              <NumberField id="ha-boot" name="vmStartS" label="VM boot" unit="s" value={values.vmStartS} onChange={set("vmStartS")} errors={err("vmStartS")} disabled={!canEdit} step="1" hint="Until a restarted VM runs" />
            </div>
          </CardBody>
        </Card>

        <Card className="mt-3">
          <CardHeader title="Recovery policy" note="failback, restarts, maintenance" />
          <CardBody className="space-y-4">
            <RadioCards name="failback" legend="Failback" options={FAILBACK} value={values.failback} onChange={set("failback")} disabled={!canEdit} errors={err("failback")} compact />
            <div className="grid grid-cols-1 gap-x-4 gap-y-3 sm:grid-cols-2 lg:grid-cols-3">
              <NumberField
                id="ha-restarts"
                name="restartMaxRestarts"
                label="Restarts on the same host"
                unit="×"
                value={values.restartMaxRestarts}
                onChange={set("restartMaxRestarts")}
                errors={err("restartMaxRestarts")}
                disabled={!canEdit}
                step="1"
                hint="After a failed start or a crash, before relocating (a VM may override)"
              />
              <NumberField
                id="ha-relocations"
                name="restartMaxRelocations"
                label="Relocations"
                unit="×"
                value={values.restartMaxRelocations}
                onChange={set("restartMaxRelocations")}
                errors={err("restartMaxRelocations")}
                disabled={!canEdit}
                step="1"
                placeholder="no limit"
                hint="Other hosts tried before the VM goes to error and waits for a retry; blank: no limit"
              />
              <NumberField
                id="ha-maint-rebuild"
                name="maintenanceRebuildAfterS"
                label="Maintenance rebuild after"
                unit="s"
                value={values.maintenanceRebuildAfterS}
                onChange={set("maintenanceRebuildAfterS")}
                errors={err("maintenanceRebuildAfterS")}
                disabled={!canEdit}
                step="60"
                placeholder="wait for the host"
                hint="Device VMs powered off for maintenance are rebuilt elsewhere when the host is still in maintenance after this long; blank: they wait for the host"
              />
            </div>
          </CardBody>
        </Card>

        {canEdit && (
          <div className="mt-3 flex flex-wrap items-center gap-3">
            {modeChange && (
              <label className="flex w-full items-start gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-[12.5px] text-amber-900">
                <input type="checkbox" className="mt-0.5 size-3.5 accent-amber-600" checked={modeAck === values.haMode} onChange={(e) => setModeAck(e.target.checked ? values.haMode : null)} />
                <span>
                  Change the HA mode from <strong>{modeChange.from}</strong> to <strong>{modeChange.to}</strong>: it applies at the next host failure (see the consequences on the right).
                  It can be changed back the same way.
                </span>
              </label>
            )}
            <SubmitButton pending={pending} ready={ready && check.success && dirty && modeConfirmed}>
              Save HA settings
            </SubmitButton>
            <button type="button" className="text-[13px] font-medium text-zinc-600 hover:text-zinc-900 disabled:opacity-50" disabled={!dirty || pending} onClick={() => setValues(toValues(initial))}>
              Reset
            </button>
            {!dirty && !saved && <span className="text-[12px] text-zinc-500">No changes</span>}
            {saved && state?.ok && (
              <p role="status" className="flex items-center gap-1.5 text-[12.5px] text-emerald-700" data-testid="ha-saved">
                <CheckCircle2 aria-hidden className="size-4" />
                Saved{saved.changed.length ? ` (${saved.changed.length} change${saved.changed.length === 1 ? "" : "s"})` : ""}.{" "}
                {saved.controllerUpdated ? "The HA controller uses the new settings now." : "No HA controller runs in this console process; it reads them when it starts."}
              </p>
            )}
          </div>
        )}
      </form>

      <div>
        <PreviewCard preview={preview} error={previewError} computing={previewing} invalid={!check.success} canEdit={canEdit} dirty={dirty} />
      </div>
    </div>
  );
}

function RadioCards({
  name,
  legend,
  options,
  value,
  onChange,
  disabled,
  errors,
  compact = false,
}: {
  name: string;
  legend: string;
  options: { value: string; label: string; hint: string }[];
  value: string;
  onChange: (v: string) => void;
  disabled?: boolean;
  errors?: string[];
  compact?: boolean;
}) {
  const id = `ha-${name}`;
  return (
    <fieldset aria-describedby={errors?.length ? `${id}-error` : undefined}>
      <legend className="mb-1.5 text-[12.5px] font-medium text-zinc-800">{legend}</legend>
      <div className={cn("grid gap-2", compact ? "grid-cols-1" : "grid-cols-1 sm:grid-cols-3")}>
        {options.map((o) => (
          <label
            key={o.value}
            className={cn(
              "flex cursor-pointer gap-2 rounded-md border px-3 py-2 transition-colors",
              value === o.value ? "border-blue-600 bg-blue-50/60 ring-1 ring-blue-600" : "border-zinc-300 hover:border-zinc-400",
              disabled && "cursor-default opacity-70",
            )}
          >
            <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} disabled={disabled} className="mt-0.5 size-3.5 accent-blue-600" />
            <span className="min-w-0">
              <span className="block text-[13px] font-medium text-zinc-900">{o.label}</span>
              <span className="block text-[12px] text-zinc-500">{o.hint}</span>
            </span>
          </label>
        ))}
      </div>
      <FieldErrorText id={id} errors={errors} />
    </fieldset>
  );
}

function NumberField({
  id,
  name,
  label,
  unit,
  value,
  onChange,
  errors,
  hint,
  disabled,
  step,
  placeholder,
}: {
  id: string;
  name: string;
  label: string;
  unit: string;
  value: string;
  onChange: (v: string) => void;
  errors?: string[];
  hint?: string;
  disabled?: boolean;
  step?: string;
  placeholder?: string;
}) {
  return (
    <Field id={id} label={label} hint={hint} errors={errors}>
      <div className="relative">
        <input
          type="number"
          inputMode="decimal"
          name={name}
          value={value}
          step={step}
          min={0}
          placeholder={placeholder}
          onChange={(e) => onChange(e.currentTarget.value)}
          disabled={disabled}
          className={cn(inputClass, "pr-8 tabular")}
          {...controlAria(id, errors, hint)}
        />
        <span aria-hidden className="pointer-events-none absolute inset-y-0 right-2.5 flex items-center text-[12px] text-zinc-500">
          {unit}
        </span>
      </div>
    </Field>
  );
}

const TONE = {
  red: { box: "border-red-200 bg-red-50 text-red-900", icon: ShieldAlert, iconClass: "text-red-600" },
  amber: { box: "border-amber-200 bg-amber-50 text-amber-900", icon: CircleAlert, iconClass: "text-amber-600" },
  green: { box: "border-emerald-200 bg-emerald-50 text-emerald-900", icon: ShieldCheck, iconClass: "text-emerald-600" },
  blue: { box: "border-blue-200 bg-blue-50 text-blue-900", icon: Info, iconClass: "text-blue-600" },
} as const;

function PreviewCard({ preview, error, computing, invalid, canEdit, dirty }: { preview: HaPreview | null; error: string | null; computing: boolean; invalid: boolean; canEdit: boolean; dirty: boolean }) {
  return (
    <Card aria-labelledby="ha-preview-title" data-testid="ha-preview" className="xl:sticky xl:top-3">
      <CardHeader
        id="ha-preview-title"
        title={dirty ? "Consequence before saving" : "What the saved settings mean now"}
        note={dirty ? "on the cluster as it is now" : "the engine's assessment"}
        actions={computing ? <span role="status" className="text-[12px] text-zinc-500">Computing…</span> : undefined}
      />
      <div aria-live="polite" aria-busy={computing} className={cn("px-4 py-3", computing && "opacity-70 transition-opacity")}>
        {!canEdit ? (
          <p className="text-[12.5px] text-zinc-500">
            The dashboard&apos;s <Link href="/" className={entityLink}>HA card</Link> shows what the saved settings mean for the cluster now.
          </p>
        ) : invalid ? (
          <p className="text-[12.5px] text-zinc-500">Fix the highlighted fields to see the consequence.</p>
        ) : error ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[12.5px] text-red-800">
            {error}
          </p>
        ) : !preview ? (
          <p className="text-[12.5px] text-zinc-500">Computing the consequence…</p>
        ) : (
          <PreviewBody p={preview} />
        )}
      </div>
    </Card>
  );
}

function PreviewBody({ p }: { p: HaPreview }) {
  const rows: { label: string; cur: React.ReactNode; next: React.ReactNode; worse?: boolean }[] = [
    {
      label: "Tolerated host failures",
      cur: `${p.current.toleratedFailures} of ${p.current.faultTolerance}`,
      next: `${p.proposed.toleratedFailures} of ${p.proposed.faultTolerance}`,
      worse: p.proposed.toleratedFailures < p.proposed.faultTolerance,
    },
    { label: "Failure sets not absorbed", cur: fmtInt(p.current.unabsorbable), next: fmtInt(p.proposed.unabsorbable), worse: p.proposed.unabsorbable > 0 },
    {
      label: "Running VMs protected",
      cur: `${fmtInt(p.current.protectedRunning)} of ${fmtInt(p.current.running)}`,
      next: `${fmtInt(p.proposed.protectedRunning)} of ${fmtInt(p.proposed.running)}`,
      worse: p.proposed.protectedRunning < p.current.protectedRunning,
    },
    {
      label: "Failover reserve",
      cur: `${fmtInt(p.current.reserveCpus)} vCPU · ${fmtMiB(p.current.reserveMemoryMiB)}`,
      next: `${fmtInt(p.proposed.reserveCpus)} vCPU · ${fmtMiB(p.proposed.reserveMemoryMiB)}`,
    },
    { label: "Expected recovery", cur: `≈ ${p.current.recoveryS} s`, next: `≈ ${p.proposed.recoveryS} s`, worse: p.proposed.recoveryS > p.current.recoveryS },
  ];
  return (
    <div className="space-y-3">
      <ul className="space-y-1.5">
        {p.headlines.map((h, i) => {
          const t = TONE[h.tone];
          const Icon = t.icon;
          return (
            <li key={i} className={cn("flex gap-2 rounded-md border px-3 py-2 text-[12.5px]", t.box)} data-testid="ha-preview-headline">
              <Icon aria-hidden className={cn("mt-0.5 size-4 shrink-0", t.iconClass)} />
              <span>{h.text}</span>
            </li>
          );
        })}
      </ul>

      <table className="w-full text-[12.5px]">
        <thead>
          <tr className="border-b border-zinc-200 text-left text-[11px] uppercase tracking-wide text-zinc-500">
            <th scope="col" className="py-1 font-semibold" />
            <th scope="col" className="py-1 font-semibold">Saved</th>
            <th scope="col" className="py-1 font-semibold">With these settings</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} className="border-b border-zinc-100 last:border-b-0">
              <th scope="row" className="py-1.5 pr-2 text-left font-medium text-zinc-700">
                {r.label}
              </th>
              <td className="tabular py-1.5 text-zinc-600">{r.cur}</td>
              <td className={cn("tabular py-1.5 font-medium", r.worse ? "text-red-700" : "text-zinc-900")}>{r.next}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {p.vmsWithoutReserve.length > 0 && (
        <details className="group rounded-md border border-zinc-200" data-testid="ha-preview-without-reserve">
          <summary className="cursor-pointer px-3 py-2 text-[12.5px] font-medium text-zinc-800 hover:bg-zinc-50">
            VMs without a reserve <span className="tabular font-normal text-zinc-500">· {fmtInt(p.vmsWithoutReserveCount)}</span>
          </summary>
          <ul className="space-y-0.5 border-t border-zinc-100 px-3 py-2 text-[12.5px]">
            {p.vmsWithoutReserve.map((v) => (
              <li key={v.vmName}>
                {v.vmId ? (
                  <Link href={`/vms/${v.vmId}`} className={entityLink}>
                    {v.vmName}
                  </Link>
                ) : (
                  v.vmName
                )}
              </li>
            ))}
            {p.vmsWithoutReserveCount > p.vmsWithoutReserve.length && <li className="text-zinc-500">and {fmtInt(p.vmsWithoutReserveCount - p.vmsWithoutReserve.length)} more</li>}
          </ul>
        </details>
      )}

      {p.notProtected.length > 0 && (
        <details className="group rounded-md border border-zinc-200" data-testid="ha-preview-not-protected">
          <summary className="cursor-pointer px-3 py-2 text-[12.5px] font-medium text-zinc-800 hover:bg-zinc-50">
            Not protected (only one host could ever run them) <span className="tabular font-normal text-zinc-500">· {fmtInt(p.notProtectedCount)}</span>
          </summary>
          <ul className="space-y-0.5 border-t border-zinc-100 px-3 py-2 text-[12.5px]">
            {p.notProtected.map((v) => (
              <li key={v.vmId}>
                <Link href={`/vms/${v.vmId}`} className={entityLink}>
                  {v.vmName}
                </Link>
                <span className="text-zinc-500"> — {v.reason}</span>
              </li>
            ))}
            {p.notProtectedCount > p.notProtected.length && <li className="text-zinc-500">and {fmtInt(p.notProtectedCount - p.notProtected.length)} more</li>}
          </ul>
        </details>
      )}

      {p.unabsorbable.length > 0 && (
        <details className="group rounded-md border border-zinc-200">
          <summary className="cursor-pointer px-3 py-2 text-[12.5px] font-medium text-zinc-800 hover:bg-zinc-50">
            Failure sets that could not be absorbed <span className="tabular font-normal text-zinc-500">· {fmtInt(p.proposed.unabsorbable)}</span>
          </summary>
          <ul className="divide-y divide-zinc-100 border-t border-zinc-100">
            {p.unabsorbable.map((s, i) => (
              <li key={i} className="px-3 py-2 text-[12.5px]">
                <p className="font-medium text-zinc-900">If {s.hosts.map((h) => h.name).join(" + ")} fail{s.hosts.length === 1 ? "s" : ""}</p>
                <ul className="mt-0.5 list-disc pl-5 text-[12px] text-zinc-600">
                  {s.items.map((it, k) => (
                    <li key={k}>{it.vmName ? `${it.vmName} cannot be restarted${it.details[0] ? ` — ${it.details[0]}` : ""}` : it.headline}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </details>
      )}

      {p.losesEligibility.length > 0 && (
        <details className="group rounded-md border border-zinc-200">
          <summary className="cursor-pointer px-3 py-2 text-[12.5px] font-medium text-zinc-800 hover:bg-zinc-50">
            VMs that would no longer qualify for HA <span className="tabular font-normal text-zinc-500">· {fmtInt(p.losesEligibilityCount)}</span>
          </summary>
          <ul className="space-y-0.5 border-t border-zinc-100 px-3 py-2 text-[12.5px]">
            {p.losesEligibility.map((v) => (
              <li key={v.vmId}>
                <Link href={`/vms/${v.vmId}`} className={entityLink}>
                  {v.vmName}
                </Link>
                <span className="text-zinc-500"> — {v.reason}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
