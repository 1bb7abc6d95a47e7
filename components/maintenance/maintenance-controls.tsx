"use client";
// Enter maintenance: first the engine's evacuation plan (live migrations with their targets,
// device VMs powered off and why — the GPU VM limits —, rebuilds, what would block), with the
// option to rebuild device VMs elsewhere when their tags allow; then confirm. Exit maintenance.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Dialog } from "radix-ui";
import { ArrowRight, Ban, LogIn, LogOut, PowerOff, RefreshCw } from "lucide-react";
import type { EvacuationPreview } from "@/lib/server/placement-explain";
import type { ActionResult } from "@/lib/schemas/action-result";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { humanizeText } from "@/lib/display/text";

function Section({ title, count, icon: Icon, tone, children }: { title: string; count: number; icon: React.ComponentType<{ className?: string; "aria-hidden"?: boolean }>; tone: string; children: React.ReactNode }) {
  if (count === 0) return null;
  return (
    <section className="mt-3">
      <h3 className="flex items-center gap-1.5 text-[12.5px] font-semibold text-zinc-900">
        <Icon aria-hidden className={cn("size-3.5", tone)} />
        {title} <span className="font-normal text-zinc-500">({count})</span>
      </h3>
      <ul className="mt-1 divide-y divide-zinc-100 rounded-md border border-zinc-200">{children}</ul>
    </section>
  );
}

function PlanView({ plan }: { plan: EvacuationPreview }) {
  const nothing = plan.migrations.length + plan.powerOffs.length + plan.rebuilds.length + plan.blocked.length === 0;
  return (
    <div data-testid="evacuation-plan" className="max-h-[55vh] overflow-y-auto pr-1">
      {nothing && <p className="mt-3 text-[13px] text-zinc-600">No VM runs on {plan.hostName}: it enters maintenance at once.</p>}
      <Section title="Live migrations" count={plan.migrations.length} icon={ArrowRight} tone="text-blue-600">
        {plan.migrations.map((m) => (
          <li key={m.vmId} className="px-3 py-1.5 text-[12.5px]">
            <span className="font-medium text-zinc-900">{m.vmName}</span> → <span className="font-medium">{m.to}</span>
            {m.reasons.length > 1 && <div className="truncate text-[11.5px] text-zinc-500" title={m.reasons.slice(1).join("; ")}>{m.reasons.slice(1, 3).join("; ")}</div>}
          </li>
        ))}
      </Section>
      <Section title="Powered off (device VMs cannot live-migrate)" count={plan.powerOffs.length} icon={PowerOff} tone="text-amber-600">
        {plan.powerOffs.map((p) => (
          <li key={p.vmId} className="px-3 py-1.5 text-[12.5px]">
            <span className="font-medium text-zinc-900">{p.vmName}</span>
            <div className="text-[12px] text-zinc-600">{p.reason}</div>
          </li>
        ))}
      </Section>
      <Section title="Rebuilt on another host" count={plan.rebuilds.length} icon={RefreshCw} tone="text-violet-600">
        {plan.rebuilds.map((r) => (
          <li key={r.vmId} className="px-3 py-1.5 text-[12.5px]">
            <span className="font-medium text-zinc-900">{r.vmName}</span> → <span className="font-medium">{r.to}</span>
            <div className="text-[12px] text-zinc-600">{humanizeText(r.reasons[0] ?? "")}</div>
          </li>
        ))}
      </Section>
      <Section title="Blocking: nowhere to go" count={plan.blocked.length} icon={Ban} tone="text-red-600">
        {plan.blocked.map((b) => (
          <li key={b.vmId} className="px-3 py-1.5 text-[12.5px]">
            <span className="font-medium text-zinc-900">{b.vmName}</span>
            <ul className="list-disc pl-4 text-[12px] text-zinc-600">
              {b.reasons.slice(0, 6).map((r, i) => (
                <li key={i}>{humanizeText(r)}</li>
              ))}
            </ul>
          </li>
        ))}
      </Section>
    </div>
  );
}

/** The host page's maintenance actions (server actions, passed in by the page). */
export interface MaintenanceActions {
  preview: (hostId: string, rebuildDeviceVms: boolean) => Promise<ActionResult<EvacuationPreview>>;
  enter: (hostId: string, rebuildDeviceVms: boolean) => Promise<ActionResult<unknown>>;
  exit: (hostId: string) => Promise<ActionResult<unknown>>;
}

export function EnterMaintenanceButton({ hostId, hostName, actions }: { hostId: string; hostName: string; actions: Pick<MaintenanceActions, "preview" | "enter"> }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [rebuild, setRebuild] = useState(false);
  const [plan, setPlan] = useState<EvacuationPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, startLoading] = useTransition();
  const [entering, startEntering] = useTransition();

  function load(withRebuild: boolean) {
    setError(null);
    startLoading(async () => {
      try {
        const r = await actions.preview(hostId, withRebuild);
        if (r.ok) setPlan(r.data);
        else setError(r.formError ?? "The plan could not be computed");
      } catch {
        setError("The console did not answer; try again");
      }
    });
  }

  function onOpenChange(o: boolean) {
    setOpen(o);
    if (o) load(rebuild);
  }

  function enter() {
    setError(null);
    startEntering(async () => {
      try {
        const r = await actions.enter(hostId, rebuild);
        if (r.ok) {
          setOpen(false);
          router.refresh();
        } else setError(r.formError ?? "Refused");
      } catch {
        setError("The console did not answer; try again");
      }
    });
  }

  const blocked = (plan?.blocked.length ?? 0) > 0;
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Trigger asChild>
        <button type="button" className={buttonClass("secondary")}>
          <LogIn aria-hidden className="size-3.5" />
          Enter maintenance
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-zinc-900/40" />
        <Dialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(94vw,40rem)] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-zinc-200 bg-white p-5 shadow-xl focus:outline-none">
          <Dialog.Title className="text-[15px] font-semibold text-zinc-900">Enter maintenance on {hostName}</Dialog.Title>
          <Dialog.Description className="mt-1 text-[13px] text-zinc-600">
            The engine&apos;s evacuation plan: standard VMs live-migrate; VMs with GPUs, vGPUs or SR-IOV VFs cannot, so they are powered off and start again when the host leaves maintenance.
          </Dialog.Description>
          <label className="mt-3 flex items-start gap-2 text-[13px] text-zinc-800">
            <input type="checkbox" className="mt-0.5 size-3.5 accent-blue-600" checked={rebuild} onChange={(e) => {
                setRebuild(e.target.checked);
                load(e.target.checked);
              }} />
            <span>
              Rebuild device VMs elsewhere when their device tags allow
              <span className="block text-[12px] text-zinc-500">They are stopped here and started on another host with free devices of the same tags.</span>
            </span>
          </label>
          {loading && !plan && <p className="mt-3 text-[13px] text-zinc-500">Planning…</p>}
          {plan && <div className={cn(loading && "opacity-60")}><PlanView plan={plan} /></div>}
          {error && (
            <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800">
              {error}
            </p>
          )}
          <div className="mt-4 flex items-center justify-end gap-2">
            {blocked && <span className="mr-auto text-[12.5px] text-red-700">Blocked: move or power off the VMs above first.</span>}
            <Dialog.Close asChild>
              <button type="button" className={buttonClass("secondary")}>
                Cancel
              </button>
            </Dialog.Close>
            <button type="button" className={buttonClass("primary")} disabled={!plan || blocked || loading || entering} onClick={enter}>
              {entering ? "Entering…" : "Enter maintenance"}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

export function ExitMaintenanceButton({ hostId, exit }: { hostId: string; exit: MaintenanceActions["exit"] }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      {error && (
        <span role="alert" className="text-[12.5px] text-red-700">
          {error}
        </span>
      )}
      <button
        type="button"
        className={buttonClass("primary")}
        disabled={pending}
        onClick={() =>
          start(async () => {
            setError(null);
            try {
              const r = await exit(hostId);
              if (!r.ok) setError(r.formError ?? "Refused");
              router.refresh();
            } catch {
              setError("The console did not answer; try again");
            }
          })
        }
      >
        <LogOut aria-hidden className="size-3.5" />
        {pending ? "Exiting…" : "Exit maintenance"}
      </button>
    </span>
  );
}
