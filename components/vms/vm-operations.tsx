// The VM page's operations section: Power on / Power off; for a pending VM the engine's
// explanation (every host with its reason) right away; for a device VM what it cannot do and why
// (live migration, pause, hot-add: the GPU VM limits).
import { Ban, Info } from "lucide-react";
import type { vmOperationsView } from "@/lib/server/placement-explain";
import { Card, CardHeader } from "@/components/ui/card";
import { PowerControls, type PowerActions } from "./power-controls";
import { PlacementExplanationTable } from "./placement-explanation";
import { MoveBack, type MoveBackAction, type MoveBackData } from "./move-back";

export type VmOperationsData = NonNullable<Awaited<ReturnType<typeof vmOperationsView>>>;

/** `actions` only for an operator or above (a viewer sees the state and the limits, no buttons). */
export function VmOperations({ vmId, view, away, actions }: { vmId: string; view: VmOperationsData; away: MoveBackData | null; actions: { power: PowerActions; moveBack: MoveBackAction } | null }) {
  const limits = view;
  const explanation = view.explanation;
  const pending = view.power === "pending";
  const denied = limits.limits.filter((l) => !l.allowed && l.reason && !/is not running|only while the VM is off/.test(l.reason));
  const migrate = limits.limits.find((l) => l.operation === "live-migrate");

  return (
    <div className="mt-4 space-y-4">
      {actions && (
        <Card aria-labelledby="vm-power-title">
          <CardHeader id="vm-power-title" title="Power" note={pending ? "pending: waiting for a host" : undefined} />
          <PowerControls vmId={vmId} vmName={view.vmName} power={view.power} actions={actions.power} />
        </Card>
      )}

      {away && (
        <Card className="border-amber-300" aria-labelledby="vm-away-title">
          <CardHeader id="vm-away-title" title="Away from its preferred host" note={away.powerCycle ? "device VM: moves back only on request" : "standard VM: failback is off for it or waiting"} />
          {actions ? <MoveBack away={away} action={actions.moveBack} canAct /> : <MoveBack away={away} action={null} canAct={false} />}
        </Card>
      )}

      {pending && explanation && (
        <Card className="border-amber-300" aria-labelledby="vm-pending-title">
          <CardHeader
            id="vm-pending-title"
            title="Why it is pending"
            note={explanation.placeable ? `a host fits now (${explanation.target?.hostName}); the controller starts it on its next pass` : "no host can take it now; it is retried when capacity changes"}
          />
          <PlacementExplanationTable explanation={explanation} caption={`Why ${explanation.vmName} cannot be placed now`} />
        </Card>
      )}

      {limits.hasDevices && (
        <Card aria-labelledby="vm-limits-title">
          <CardHeader id="vm-limits-title" title="Device VM limits" note="passthrough GPUs, vGPUs and SR-IOV VFs" />
          <div className="px-4 py-3 text-[13px]">
            <p className="flex items-start gap-2 text-zinc-800" data-testid="gpu-vm-limit">
              <Info aria-hidden className="mt-0.5 size-4 shrink-0 text-blue-600" />
              <span>
                Cannot live-migrate: passthrough/vGPU/VF devices. In host maintenance it is <strong>powered off</strong> and started again when the host leaves maintenance (or rebuilt on
                another host with the same device tags, when asked). After a host failure the HA controller rebuilds it elsewhere when a tagged device is free.
              </span>
            </p>
            {denied.length > 0 && (
              <ul className="mt-2 space-y-1">
                {denied.map((l) => (
                  <li key={l.operation} className="flex items-start gap-2 text-[12.5px] text-zinc-700">
                    <Ban aria-hidden className="mt-0.5 size-3.5 shrink-0 text-zinc-400" />
                    <span>
                      <span className="font-medium text-zinc-900">{l.label}:</span> {l.reason}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {migrate?.allowed && <p className="mt-2 text-[12.5px] text-zinc-600">Live migration: allowed.</p>}
          </div>
        </Card>
      )}
    </div>
  );
}
