"use client";
// The GPU mode switch workflow: choose a GPU; if its host is not in maintenance, say so (and link
// to the host, where maintenance is entered); if it is, show the engine's plan (old tag → new tag,
// the VMs whose requests no longer match) and a confirm button; after the switch, the VMs that
// must be reconfigured, with links to their edit pages.
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { ArrowRight, CheckCircle2, CircleAlert, Wrench } from "lucide-react";
import type { GpuDashboard, GpuModeSwitchView } from "@/lib/server/queries/gpu-dashboard";
import type { GpuModeSwitchResult } from "@/lib/server/gpu-mode";
import { useActionForm, useHydrated, type FormAction } from "@/components/forms/use-action-form";
import { FormBanner, SubmitButton, inputClass } from "@/components/forms/fields";
import { Card, CardHeader } from "@/components/ui/card";
import { HostStateBadge, TagChip } from "@/components/ui/status";
import { entityLink } from "@/components/ui/table";
import { cn } from "@/components/ui/cn";

/** `switchAction`: the mode-switch server action, passed in by the page. */
export function GpuModeSwitch({ choices, view, canSwitch, switchAction }: { choices: GpuDashboard["choices"]; view: GpuModeSwitchView | null; canSwitch: boolean; switchAction: FormAction<GpuModeSwitchResult> }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [done, setDone] = useState<GpuModeSwitchResult | null>(null);
  // The confirm form's state lives here: the server re-renders the plan after the switch (the GPU's
  // mode changed), and the answer must survive that.
  const form = useActionForm<GpuModeSwitchResult>(switchAction, (data) => {
    setDone(data);
    router.refresh();
  });
  const hosts = [...new Set(choices.map((c) => c.host))];

  function choose(id: string) {
    setDone(null);
    router.replace(id ? `/gpus/dashboard?gpu=${encodeURIComponent(id)}#mode-switch` : "/gpus/dashboard#mode-switch", { scroll: false });
  }

  return (
    <Card id="mode-switch" aria-labelledby="mode-switch-title" data-testid="gpu-mode-switch">
      <CardHeader id="mode-switch-title" title="Switch GPU mode" note="graphics ⇄ compute; changes the GPU's device tag" />
      <div className="space-y-3 px-4 py-3">
        <label className="flex max-w-md flex-col gap-0.5">
          <span className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">GPU</span>
          <select className={inputClass} value={view?.gpu.id ?? ""} onChange={(e) => choose(e.target.value)} disabled={!hydrated} data-testid="mode-switch-gpu">
            <option value="">Choose a GPU…</option>
            {hosts.map((h) => {
              const list = choices.filter((c) => c.host === h);
              return (
                <optgroup key={h} label={`${h}${list[0].hostState !== "online" ? ` (${list[0].hostState})` : ""}`}>
                  {list.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name} — {c.model}
                      {c.profile ? ` / ${c.profile}` : ""} · {c.mode}
                      {c.used ? ` · ${c.used} in use` : ""}
                    </option>
                  ))}
                </optgroup>
              );
            })}
          </select>
        </label>

        {done ? (
          <SwitchDone r={done} />
        ) : view ? (
          <SwitchPlan view={view} canSwitch={canSwitch} form={form} />
        ) : (
          <p className="text-[12.5px] text-zinc-500">
            Choose a GPU to see what switching its mode would change. The switch needs the GPU&apos;s host in maintenance, and VMs that asked for its old tag must be reconfigured afterwards.
          </p>
        )}
      </div>
    </Card>
  );
}

function SwitchPlan({ view, canSwitch, form }: { view: GpuModeSwitchView; canSwitch: boolean; form: ReturnType<typeof useActionForm<GpuModeSwitchResult>> }) {
  const { pending, failed, formProps, ready } = form;
  const { gpu, host, plan, newMode } = view;
  const inMaintenance = host.state === "maintenance";
  const blockers = plan.reasons.filter((r) => !r.includes("must be in maintenance"));
  return (
    <div className="space-y-3" data-testid="mode-switch-plan">
      <p className="flex flex-wrap items-center gap-2 text-[13px] text-zinc-900">
        <span className="font-medium">{gpu.name}</span>
        <span className="text-zinc-500">on</span>
        <Link href={`/hosts/${host.id}`} className={entityLink}>
          {host.name}
        </Link>
        <HostStateBadge state={host.state} />
        <span className="text-zinc-500">·</span>
        <span>
          {gpu.mode} <ArrowRight aria-label="to" className="inline size-3.5 text-zinc-400" /> <strong className="font-semibold">{newMode}</strong> mode
        </span>
      </p>

      <div className="flex flex-wrap items-center gap-2 text-[12.5px]">
        <span className="text-zinc-600">Device tag</span>
        <TagChip type={gpu.profile ? "vgpu" : "gpu"} name={plan.oldTag} />
        <ArrowRight aria-label="becomes" className="size-3.5 text-zinc-400" />
        <span data-testid="mode-switch-new-tag">
          <TagChip type={gpu.profile ? "vgpu" : "gpu"} name={plan.newTag} />
        </span>
      </div>

      {!inMaintenance && (
        <div className="flex gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-[12.5px] text-amber-900" data-testid="mode-switch-needs-maintenance">
          <Wrench aria-hidden className="mt-0.5 size-4 shrink-0 text-amber-600" />
          <div>
            <p>
              {host.name} is {host.state}. A GPU&apos;s mode is switched only while its host is in maintenance: entering it powers off the VMs using GPUs there (they cannot live-migrate) and moves
              the others.
            </p>
            <Link href={`/hosts/${host.id}`} className="mt-1 inline-block font-medium text-blue-700 hover:underline">
              Open {host.name} to enter maintenance
            </Link>
          </div>
        </div>
      )}

      <div>
        <h3 className="mb-1 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500">VMs whose requests would no longer match</h3>
        {plan.vmsToReconfigure.length === 0 ? (
          <p className="text-[12.5px] text-zinc-600">None: no VM depends on this GPU&apos;s current tag {plan.oldTag ? "alone" : ""}.</p>
        ) : (
          <ul className="space-y-0.5 text-[12.5px]" data-testid="mode-switch-affected">
            {plan.vmsToReconfigure.map((v) => (
              <li key={`${v.vmId}:${v.request}`}>
                <Link href={`/vms/${v.vmId}`} className={entityLink}>
                  {v.vmName}
                </Link>{" "}
                <span className="text-zinc-500">asks for {v.request}</span>
              </li>
            ))}
          </ul>
        )}
      </div>

      {inMaintenance && blockers.length > 0 && (
        <ul className="space-y-1 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[12.5px] text-red-800">
          {blockers.map((r, i) => (
            <li key={i} className="flex gap-1.5">
              <CircleAlert aria-hidden className="mt-0.5 size-3.5 shrink-0" />
              {r}
            </li>
          ))}
        </ul>
      )}

      {inMaintenance && (
        <form {...formProps} aria-label="Confirm the GPU mode switch">
          {failed && <FormBanner message={failed.formError} fieldErrors={failed.fieldErrors} />}
          <input type="hidden" name="gpuId" value={gpu.id} />
          <input type="hidden" name="mode" value={newMode} />
          {canSwitch ? (
            <div className="flex flex-wrap items-center gap-3">
              <SubmitButton pending={pending} ready={ready && plan.allowed} pendingLabel="Switching…">
                Switch {gpu.name} to {newMode} mode
              </SubmitButton>
              {!plan.allowed && <span className="text-[12px] text-zinc-500">Resolve the reasons above first.</span>}
            </div>
          ) : (
            <p className="text-[12.5px] text-zinc-500">Only an admin can switch a GPU&apos;s mode.</p>
          )}
        </form>
      )}
    </div>
  );
}

function SwitchDone({ r }: { r: GpuModeSwitchResult }) {
  return (
    <div className="space-y-3" data-testid="mode-switch-done">
      <p role="status" className={cn("flex items-start gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-[12.5px] text-emerald-900")}>
        <CheckCircle2 aria-hidden className="mt-0.5 size-4 shrink-0 text-emerald-600" />
        <span>
          {r.gpuName} is now in {r.mode} mode: its tag changed from <span className="font-mono">{r.previousTag}</span> to <span className="font-mono">{r.tag}</span>.
        </span>
      </p>
      <div>
        <h3 className="mb-1 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500">VMs to reconfigure</h3>
        {r.reconfigure.length === 0 ? (
          <p className="text-[12.5px] text-zinc-600">None: no VM asked for {r.previousTag}.</p>
        ) : (
          <>
            <p className="mb-1 text-[12.5px] text-zinc-600">
              {r.reconfigure.length === 1 ? "This VM asks" : `These ${r.reconfigure.length} VMs ask`} for <span className="font-mono">{r.previousTag}</span>: change {r.reconfigure.length === 1 ? "its" : "their"} device requests (to {r.tag} or another tag) before {r.reconfigure.length === 1 ? "it starts" : "they start"} again.
            </p>
            <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200 text-[12.5px]" data-testid="mode-switch-reconfigure">
              {r.reconfigure.map((v) => (
                <li key={v.id} className="flex items-center gap-3 px-3 py-1.5">
                  <Link href={`/vms/${v.id}`} className={cn(entityLink, "font-medium")}>
                    {v.name}
                  </Link>
                  <Link href={`/vms/${v.id}/edit`} className="ml-auto text-[12px] font-medium text-blue-700 hover:underline">
                    Edit devices
                  </Link>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}
