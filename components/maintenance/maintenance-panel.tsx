// The host page's maintenance section: Enter (with the evacuation plan first) or Exit, and the
// progress of the latest maintenance — migrations, power-offs, rebuilds and, after the exit, the
// restarts — refreshing itself while anything is still moving.
import Link from "next/link";
import type { MaintenanceProgress, MaintenanceVm } from "@/lib/server/queries/maintenance";
import { Card, CardHeader } from "@/components/ui/card";
import { Badge, type Tone } from "@/components/ui/badge";
import { PowerBadge } from "@/components/ui/status";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { fmtAgo, fmtDateTime } from "@/components/ui/format";
import { AutoRefresh } from "@/components/ops/auto-refresh";
import { EnterMaintenanceButton, ExitMaintenanceButton, type MaintenanceActions } from "./maintenance-controls";

const ACTION: Record<MaintenanceVm["action"], { tone: Tone; label: string }> = {
  migrate: { tone: "blue", label: "Live migration" },
  "power-off": { tone: "amber", label: "Power-off" },
  rebuild: { tone: "violet", label: "Rebuild" },
};

const STATE: Record<MaintenanceVm["state"], { tone: Tone; label: string }> = {
  waiting: { tone: "neutral", label: "Waiting" },
  "in-progress": { tone: "sky", label: "In progress" },
  done: { tone: "green", label: "Done" },
  failed: { tone: "red", label: "Failed" },
};

function Counter({ label, done, total }: { label: string; done: number; total: number }) {
  if (total === 0) return null;
  return (
    <span className="tabular text-[12.5px] text-zinc-600">
      {label} <span className="font-semibold text-zinc-900">{done}</span>/{total}
    </span>
  );
}

/** `actions` only for an operator or above (a viewer sees the progress, not the buttons). */
export function MaintenancePanel({ hostId, hostName, progress: p, now, actions }: { hostId: string; hostName: string; progress: MaintenanceProgress; now: number; actions: MaintenanceActions | null }) {
  const inMaintenance = p.hostState === "maintenance";
  // The latest maintenance is shown while the host is in it, and for a while after the exit.
  const recent = p.exitedAt ? now - new Date(p.exitedAt).getTime() < 30 * 60_000 : false;
  const showProgress = p.enteredAt && (inMaintenance || recent || p.active);
  const canEnter = p.hostState === "online";

  return (
    <Card className="mt-4" aria-labelledby="maintenance-title" data-testid="maintenance-panel">
      <CardHeader
        id="maintenance-title"
        title="Maintenance"
        note={
          inMaintenance
            ? `in maintenance since ${fmtAgo(p.enteredAt, now)}${p.by ? ` (${p.by})` : ""}`
            : p.exitedAt && recent
              ? `left maintenance ${fmtAgo(p.exitedAt, now)}`
              : canEnter
                ? "live-migrates standard VMs; device VMs are powered off"
                : `host is ${p.hostState}`
        }
        actions={
          <>
            <AutoRefresh active={p.active} label={p.active ? "Live: updating" : undefined} />
            {actions && (inMaintenance ? <ExitMaintenanceButton hostId={hostId} exit={actions.exit} /> : canEnter ? <EnterMaintenanceButton hostId={hostId} hostName={hostName} actions={actions} /> : null)}
          </>
        }
      />
      {showProgress ? (
        <>
          <div className="flex flex-wrap items-center gap-x-5 gap-y-1 border-b border-zinc-200 bg-zinc-50/60 px-4 py-2" data-testid="maintenance-progress">
            <span className="text-[12.5px] text-zinc-600">Entered {fmtDateTime(p.enteredAt)}</span>
            <Counter label="Migrated" done={p.counts.migrated} total={p.counts.migrations} />
            <Counter label="Powered off" done={p.counts.stopped} total={p.counts.powerOffs} />
            <Counter label="Rebuilt" done={p.counts.rebuilt} total={p.counts.rebuilds} />
            {p.exitedAt && <Counter label="Restarted after exit" done={p.counts.restarted} total={p.counts.powerOffs} />}
            {p.vms.length === 0 && <span className="text-[12.5px] text-zinc-500">No VM had to move.</span>}
          </div>
          {p.vms.length > 0 && (
            <Table label="Maintenance progress">
              <THead>
                <tr>
                  <Th>VM</Th>
                  <Th>Action</Th>
                  <Th>Target</Th>
                  <Th>Progress</Th>
                  <Th>Power now</Th>
                  <Th>Steps</Th>
                </tr>
              </THead>
              <tbody>
                {p.vms.map((v) => (
                  <Tr key={v.vmId}>
                    <Td className="align-top whitespace-nowrap">
                      <Link href={`/vms/${v.vmId}`} className={entityLink}>
                        {v.vmName}
                      </Link>
                    </Td>
                    <Td className="align-top">
                      <Badge tone={ACTION[v.action].tone}>{ACTION[v.action].label}</Badge>
                      {v.action === "power-off" && v.reason && <div className="mt-0.5 max-w-[22rem] text-[11.5px] text-zinc-500">{v.reason}</div>}
                    </Td>
                    <Td className="align-top whitespace-nowrap">{v.target ?? (v.action === "power-off" ? <span className="text-zinc-400">stays here</span> : "—")}</Td>
                    <Td className="align-top">
                      <Badge tone={STATE[v.state].tone} dot>
                        {STATE[v.state].label}
                      </Badge>
                      {v.restarted !== "no" && <div className="mt-0.5 text-[11.5px] text-zinc-600">{v.restarted === "running" ? "running again" : "restarting"}</div>}
                    </Td>
                    <Td className="align-top whitespace-nowrap">
                      <PowerBadge power={v.power} />
                      {v.host && <div className="mt-0.5 text-[11.5px] text-zinc-500">on {v.host.name}</div>}
                    </Td>
                    <Td className="align-top">
                      <ol className="space-y-0.5 text-[12px] text-zinc-700">
                        {v.steps.slice(-4).map((s, i) => (
                          <li key={i}>
                            <span className="tabular mr-1.5 font-mono text-[11.5px] text-zinc-500">+{s.offsetS} s</span>
                            {s.label}
                          </li>
                        ))}
                      </ol>
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </>
      ) : (
        <p className="px-4 py-3 text-[12.5px] text-zinc-600">
          {canEnter ? "Entering maintenance shows the evacuation plan first." : `Maintenance needs an online host; ${hostName} is ${p.hostState}.`}
        </p>
      )}
    </Card>
  );
}
