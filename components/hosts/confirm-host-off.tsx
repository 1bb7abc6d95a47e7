"use client";
// "Confirm host is powered off" for a silent (unreachable or failed) host: the console cannot tell
// a power loss from an isolation, so VMs that keep running when isolated are `unknown` until the
// host reports again or an admin confirms it is off. The dialog names the VMs it affects; the
// confirmation is audited, and acts at once (even before the failure timeout).
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { AlertDialog } from "radix-ui";
import { PowerOff } from "lucide-react";
import type { ActionResult } from "@/lib/schemas/action-result";
import { buttonClass } from "@/components/ui/button";
import { PowerBadge } from "@/components/ui/status";
import { cn } from "@/components/ui/cn";

export interface HostOffImpactData {
  hostId: string;
  hostName: string;
  state: string;
  vms: { id: string; name: string; power: string; haPriority: string; keepRunningWhenIsolated: boolean }[];
}

export type ConfirmHostOffAction = (hostId: string) => Promise<ActionResult<{ host: string; vms: string[] }>>;

export function ConfirmHostOff({ impact, action }: { impact: HostOffImpactData; action: ConfirmHostOffAction }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const unknown = impact.vms.filter((v) => v.power === "unknown");
  return (
    <div className="px-4 py-3 text-[13px]" data-testid="confirm-host-off">
      <p className="text-zinc-700">
        {impact.hostName} is {impact.state}. The console cannot tell a power loss from an isolation:
        {unknown.length > 0
          ? ` ${unknown.length} VM${unknown.length === 1 ? " that keeps" : "s that keep"} running when isolated ${unknown.length === 1 ? "is" : "are"} unknown until the host reports again or you confirm it is powered off.`
          : " if you know it is powered off, confirm it so its VMs are known to be off at once."}
      </p>
      <AlertDialog.Root open={open} onOpenChange={setOpen}>
        <AlertDialog.Trigger asChild>
          <button type="button" className={cn(buttonClass("secondary"), "mt-2 text-red-700 hover:bg-red-50")}>
            <PowerOff aria-hidden className="size-3.5" />
            Confirm host is powered off
          </button>
        </AlertDialog.Trigger>
        <AlertDialog.Portal>
          <AlertDialog.Overlay className="fixed inset-0 z-40 bg-zinc-900/40" />
          <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(92vw,32rem)] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-zinc-200 bg-white p-5 shadow-xl focus:outline-none">
            <AlertDialog.Title className="text-[15px] font-semibold text-zinc-900">Confirm {impact.hostName} is powered off?</AlertDialog.Title>
            <AlertDialog.Description className="mt-1.5 text-[13px] text-zinc-600">
              Only confirm after checking the machine (power, BMC): if it is still running, its VMs would run twice. These VMs are then recorded as off and may be started elsewhere; HA VMs are rebuilt at once.
            </AlertDialog.Description>
            {impact.vms.length === 0 ? (
              <p className="mt-3 text-[13px] text-zinc-500">No VM is placed on {impact.hostName}.</p>
            ) : (
              <ul className="mt-3 max-h-56 space-y-1 overflow-y-auto rounded-md border border-zinc-200 p-2 text-[13px]" aria-label={`VMs on ${impact.hostName}`}>
                {impact.vms.map((v) => (
                  <li key={v.id} className="flex items-center gap-2">
                    <span className="font-medium text-zinc-900">{v.name}</span>
                    <PowerBadge power={v.power} />
                    <span className="text-[12px] text-zinc-500">
                      {v.haPriority === "off" ? "not HA" : `HA ${v.haPriority}`}
                      {v.keepRunningWhenIsolated ? " · keeps running when isolated" : ""}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {error && (
              <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800">
                {error}
              </p>
            )}
            <div className="mt-5 flex justify-end gap-2">
              <AlertDialog.Cancel asChild>
                <button type="button" className={buttonClass("secondary")}>
                  Cancel
                </button>
              </AlertDialog.Cancel>
              <button
                type="button"
                disabled={pending}
                className={cn(buttonClass("primary"), "bg-red-600 hover:bg-red-700")}
                onClick={() =>
                  start(async () => {
                    setError(null);
                    try {
                      const r = await action(impact.hostId);
                      if (r.ok) {
                        setDone(`${r.data.host} confirmed powered off${r.data.vms.length ? `: ${r.data.vms.join(", ")} recorded as off` : ""}.`);
                        setOpen(false);
                        router.refresh();
                      } else setError(r.formError ?? "Refused");
                    } catch {
                      setError("The console did not answer; try again");
                    }
                  })
                }
              >
                {pending ? "Confirming…" : `${impact.hostName} is powered off`}
              </button>
            </div>
          </AlertDialog.Content>
        </AlertDialog.Portal>
      </AlertDialog.Root>
      {done && (
        <p role="status" className="mt-2 text-[12.5px] text-emerald-700">
          {done}
        </p>
      )}
    </div>
  );
}
