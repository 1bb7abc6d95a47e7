"use client";
// Power on / Power off for one VM. A refused power-on shows the refusal with every host's
// rejection reasons (the engine's explanation); the page refreshes while the VM changes state.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Power, PowerOff } from "lucide-react";
import { RotateCcw } from "lucide-react";
import type { PlacementExplanation } from "@/lib/server/placement-explain";
import type { ActionResult } from "@/lib/schemas/action-result";
import { messageStillTrue } from "@/lib/display/power";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { AutoRefresh } from "@/components/ops/auto-refresh";
import { PlacementExplanationTable } from "./placement-explanation";

const TRANSIENT = ["starting", "stopping", "migrating"];

/** A power action's answer: a refused power-on may carry the engine's per-host explanation. */
export type PowerActionResult<T> = ActionResult<T> | { ok: false; formError?: string; fieldErrors?: Record<string, string[]>; explanation?: PlacementExplanation | null };

/** The VM page's power actions (server actions, passed in by the page). */
export interface PowerActions {
  powerOn: (vmId: string) => Promise<PowerActionResult<{ hostName: string; reasons: string[] }>>;
  powerOff: (vmId: string) => Promise<ActionResult<{ power: string }>>;
  retry: (vmId: string) => Promise<ActionResult<{ power: string }>>;
}

export function PowerControls({ vmId, vmName, power, actions }: { vmId: string; vmName: string; power: string; actions: PowerActions }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [msg, setMsg] = useState<{ ok: boolean; text: string; powerBefore: string } | null>(null);
  const [explanation, setExplanation] = useState<PlacementExplanation | null>(null);
  const [watch, setWatch] = useState(false);
  const canOn = ["stopped", "error"].includes(power);
  const canOff = ["running", "starting", "pending", "error"].includes(power);

  function run(kind: "on" | "off" | "retry") {
    setMsg(null);
    setExplanation(null);
    startTransition(async () => {
      let r: PowerActionResult<unknown>;
      try {
        r = kind === "on" ? await actions.powerOn(vmId) : kind === "off" ? await actions.powerOff(vmId) : await actions.retry(vmId);
      } catch {
        setMsg({ ok: false, text: "The console did not answer; try again", powerBefore: power });
        return;
      }
      if (r.ok) {
        const d = r.data as { hostName?: string; power?: string };
        setMsg({ ok: true, text: kind === "on" ? `Starting on ${d.hostName}` : kind === "retry" ? `Retried: ${d.power}` : d.power === "stopped" ? "Powered off" : "Stopping", powerBefore: power });
        setWatch(true);
        setTimeout(() => setWatch(false), 30_000);
      } else {
        setMsg({ ok: false, text: r.formError ?? "Refused", powerBefore: power });
        if ("explanation" in r && r.explanation) setExplanation(r.explanation);
      }
      router.refresh();
    });
  }

  return (
    <div>
      <div className="flex flex-wrap items-center gap-2 px-4 py-3">
        <button type="button" className={buttonClass("primary")} disabled={!canOn || pending} onClick={() => run("on")}>
          <Power aria-hidden className="size-3.5" />
          {pending ? "Working…" : "Power on"}
        </button>
        <button type="button" className={buttonClass("secondary")} disabled={!canOff || pending} onClick={() => run("off")}>
          <PowerOff aria-hidden className="size-3.5" />
          Power off
        </button>
        {power === "error" && (
          <button type="button" className={buttonClass("secondary")} disabled={pending} onClick={() => run("retry")} title="Its restart policy was spent: the HA controller tries to start it again">
            <RotateCcw aria-hidden className="size-3.5" />
            Retry
          </button>
        )}
        {power === "unknown" ? (
          <span className="text-[12.5px] text-violet-800" data-testid="power-unknown">
            {vmName} is unknown: its host is silent and it may still run there. Power-on, a start elsewhere and device edits are refused until the host reports again or an admin confirms on the host page that it is powered off.
          </span>
        ) : (
          !canOn && !canOff && <span className="text-[12.5px] text-zinc-500">{vmName} is {power}; wait until it settles.</span>
        )}
        {msg && messageStillTrue(msg, power) && (
          <span role={msg.ok ? "status" : "alert"} className={cn("text-[12.5px]", msg.ok ? "text-emerald-700" : "text-red-700")} data-testid="power-message">
            {explanation ? msg.text.split(" | ")[0] : msg.text}
          </span>
        )}
        <span className="ml-auto">
          <AutoRefresh
            active={watch || TRANSIENT.includes(power) || power === "pending"}
            everyMs={power === "pending" ? 5000 : 2000}
            label={TRANSIENT.includes(power) ? `${vmName} is ${power}…` : power === "pending" ? "Waiting for a host; re-checked every 5 s" : undefined}
          />
        </span>
      </div>
      {explanation && (
        <div className="border-t border-red-200">
          <h3 className="bg-red-50 px-4 py-2 text-[13px] font-semibold text-red-900">Power-on refused: every host&apos;s reason</h3>
          <PlacementExplanationTable explanation={explanation} caption={`Why ${vmName} cannot be powered on`} />
        </div>
      )}
    </div>
  );
}
