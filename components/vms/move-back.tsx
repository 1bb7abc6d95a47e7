"use client";
// "Away from its preferred host": a VM running below a better-ranked host of its group's host
// order that has room now. A device VM cannot live-migrate, so Move back power-cycles it (off
// here, started on the preferred host) — the button says so and asks first.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Undo2 } from "lucide-react";
import type { ActionResult } from "@/lib/schemas/action-result";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

export interface MoveBackData {
  vmId: string;
  vmName: string;
  fromHostName: string;
  toHostName: string;
  powerCycle: boolean;
  reasons: string[];
}

export type MoveBackAction = (vmId: string) => Promise<ActionResult<{ from: string; to: string; powerCycled: boolean }>>;

/** `action` is null for a viewer (`canAct` false): the card explains, with no button. */
export function MoveBack({ away, action, canAct }: { away: MoveBackData; action: MoveBackAction | null; canAct: boolean }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [pending, start] = useTransition();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const what = away.powerCycle
    ? `Move back power-cycles ${away.vmName}: it is powered off on ${away.fromHostName} and started on ${away.toHostName} (devices cannot live-migrate).`
    : `Move back live-migrates ${away.vmName} from ${away.fromHostName} to ${away.toHostName}.`;
  return (
    <div className="px-4 py-3 text-[13px]" data-testid="vm-away">
      <p className="text-zinc-800">
        Running on <strong>{away.fromHostName}</strong>, away from its preferred host <strong>{away.toHostName}</strong>, which has room now.
      </p>
      <p className="mt-1 text-[12.5px] text-zinc-600">{what}</p>
      {away.reasons.length > 0 && (
        <ul className="mt-1 list-disc pl-5 text-[12px] text-zinc-500">
          {away.reasons.slice(0, 3).map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      )}
      {canAct && (
        <div className="mt-2 flex flex-wrap items-center gap-2">
          {!confirming ? (
            <button type="button" className={buttonClass("secondary")} onClick={() => setConfirming(true)} disabled={pending}>
              <Undo2 aria-hidden className="size-3.5" />
              Move back{away.powerCycle ? " (power-cycles the VM)" : ""}
            </button>
          ) : (
            <>
              <span className="text-[12.5px] text-amber-800">{away.powerCycle ? `${away.vmName} will be off for a moment. Move it back?` : `Move ${away.vmName} back?`}</span>
              <button
                type="button"
                className={buttonClass("primary")}
                disabled={pending}
                onClick={() =>
                  start(async () => {
                    setMsg(null);
                    if (!action) return;
                    try {
                      const r = await action(away.vmId);
                      setMsg(r.ok ? { ok: true, text: r.data.powerCycled ? `Power-cycled: starting on ${r.data.to}` : `Live-migrating to ${r.data.to}` } : { ok: false, text: r.formError ?? "Refused" });
                    } catch {
                      setMsg({ ok: false, text: "The console did not answer; try again" });
                    }
                    setConfirming(false);
                    router.refresh();
                  })
                }
              >
                {pending ? "Moving…" : away.powerCycle ? "Power-cycle and move back" : "Move back"}
              </button>
              <button type="button" className={buttonClass("ghost")} disabled={pending} onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          )}
          {msg && (
            <span role={msg.ok ? "status" : "alert"} className={cn("text-[12.5px]", msg.ok ? "text-emerald-700" : "text-red-700")}>
              {msg.text}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
