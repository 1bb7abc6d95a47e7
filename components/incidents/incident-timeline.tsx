// The incident timeline page's content: a summary, the incident's phases (detection, countdown,
// failed, failover planned, closed) and one row per VM with its steps (planned → start sent →
// running, or start failed / unplaceable with the reason) and its recovery time.
import Link from "next/link";
import { alertKindLabel } from "@/lib/display/alert-kind";
import { Activity, CheckCircle2, CircleAlert, Clock, ServerCrash } from "lucide-react";
import type { IncidentDetail } from "@/lib/server/queries/incidents";
import { fmtOffset, fmtSeconds, type VmLane, type VmOutcome, type VmStep } from "@/lib/incidents/timeline";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Badge, type Tone } from "@/components/ui/badge";
import { DescriptionList } from "@/components/ui/description-list";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { EmptyState } from "@/components/ui/empty-state";
import { AlertStatusBadge, HostStateBadge, SeverityBadge } from "@/components/ui/status";
import { fmtDateTime } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

const OUTCOME: Record<VmOutcome, { tone: Tone; label: string }> = {
  running: { tone: "green", label: "Running" },
  failed: { tone: "red", label: "Start failed" },
  waiting: { tone: "amber", label: "Unplaceable" },
  "not-restarted": { tone: "neutral", label: "Not restarted" },
  "in-progress": { tone: "sky", label: "In progress" },
};

const STEP_TONE: Partial<Record<VmStep["kind"], string>> = {
  running: "border-emerald-300 bg-emerald-50 text-emerald-900",
  "start-failed": "border-red-300 bg-red-50 text-red-900",
  unplaceable: "border-amber-300 bg-amber-50 text-amber-900",
  "not-restarted": "border-zinc-300 bg-zinc-50 text-zinc-700",
  "migration-lost": "border-amber-300 bg-amber-50 text-amber-900",
  crashed: "border-red-300 bg-red-50 text-red-900",
};

const PHASE_TONE: Record<string, string> = {
  "host-unreachable": "bg-amber-500",
  "countdown-started": "bg-amber-400",
  "host-failed": "bg-red-500",
  "vm-crashed": "bg-red-500",
  "storage-network-down": "bg-amber-500",
  "network-fault-ha": "bg-red-500",
  "failover-planned": "bg-blue-500",
  "host-online": "bg-emerald-500",
  "storage-network-up": "bg-emerald-500",
  "incident-closed": "bg-zinc-500",
};

function Stat({ label, value, note, icon: Icon }: { label: string; value: React.ReactNode; note?: React.ReactNode; icon: React.ComponentType<{ className?: string; "aria-hidden"?: boolean }> }) {
  return (
    <div className="flex items-start gap-3 px-4 py-3">
      <Icon aria-hidden className="mt-0.5 size-4 shrink-0 text-zinc-400" />
      <div className="min-w-0">
        <div className="text-[12px] text-zinc-500">{label}</div>
        <div className="tabular text-[18px] font-semibold leading-7 text-zinc-900">{value}</div>
        {note && <div className="text-[11.5px] text-zinc-500">{note}</div>}
      </div>
    </div>
  );
}

function StepChip({ step }: { step: VmStep }) {
  return (
    <li className={cn("rounded border px-2 py-1 text-[11.5px] leading-4", STEP_TONE[step.kind] ?? "border-zinc-200 bg-white text-zinc-700")} title={step.message}>
      <div className="font-medium">
        {step.label}
        {step.host && step.kind === "planned" && <span className="font-normal"> → {step.host}</span>}
      </div>
      <div className="tabular text-zinc-500">
        {fmtOffset(step.offsetS)}
        {step.sincePrevS !== null && <span> · {fmtSeconds(step.sincePrevS)} after</span>}
      </div>
    </li>
  );
}

function VmRow({ lane, exists }: { lane: VmLane; exists: boolean }) {
  const o = OUTCOME[lane.outcome];
  const problem = lane.steps.filter((s) => s.kind === "start-failed" || s.kind === "unplaceable" || s.kind === "not-restarted");
  return (
    <Tr>
      <Td className="align-top whitespace-nowrap">
        {exists ? (
          <Link href={`/vms/${lane.vmId}`} className={entityLink}>
            {lane.vmName}
          </Link>
        ) : (
          <span title="deleted since">{lane.vmName}</span>
        )}
      </Td>
      <Td className="align-top">
        <Badge tone={o.tone} dot>
          {o.label}
        </Badge>
        {lane.attempts > 1 && <div className="mt-0.5 text-[11.5px] text-zinc-500">{lane.attempts} placements</div>}
      </Td>
      <Td className="align-top whitespace-nowrap">{lane.target ?? <span className="text-zinc-400">—</span>}</Td>
      <Td className="align-top">
        <ol className="flex flex-wrap gap-1.5" aria-label={`Steps of ${lane.vmName}`}>
          {lane.steps.map((s) => (
            <StepChip key={s.id} step={s} />
          ))}
        </ol>
        {(lane.planReasons.length > 0 || problem.length > 0) && (
          <details className="mt-1.5 text-[12px]">
            <summary className="cursor-pointer text-zinc-600 hover:text-zinc-900">Reasons</summary>
            {lane.planReasons.length > 0 && (
              <div className="mt-1">
                <div className="text-[11.5px] font-medium text-zinc-500">Why {lane.target ?? "this host"}</div>
                <ul className="list-disc pl-5 text-zinc-700">
                  {lane.planReasons.map((r, i) => (
                    <li key={i}>{r}</li>
                  ))}
                </ul>
              </div>
            )}
            {problem.map((s) => (
              <div key={s.id} className="mt-1">
                <div className="text-[11.5px] font-medium text-zinc-500">
                  {s.label} ({fmtOffset(s.offsetS)})
                </div>
                <ul className="list-disc pl-5 text-zinc-700">
                  {(s.reasons.length ? s.reasons : [s.message]).map((r, i) => (
                    <li key={i}>{r}</li>
                  ))}
                </ul>
              </div>
            ))}
          </details>
        )}
      </Td>
      <Td align="right" className="align-top tabular whitespace-nowrap">
        {lane.recoveryS !== null ? (
          <span className="font-medium text-zinc-900" data-testid="vm-recovery">
            {fmtSeconds(lane.recoveryS)}
          </span>
        ) : (
          <span className="text-zinc-400">—</span>
        )}
        {lane.startS !== null && <div className="text-[11.5px] text-zinc-500">start {fmtSeconds(lane.startS)}</div>}
      </Td>
    </Tr>
  );
}

export function IncidentTimelineView({ incident }: { incident: IncidentDetail }) {
  const t = incident.timeline;
  const s = t.summary;
  const exists = new Set(incident.vmIds);
  const notRecovered = t.vms.filter((v) => v.outcome !== "running" && v.outcome !== "in-progress");

  return (
    <div className="space-y-4">
      <Card>
        <div className="grid grid-cols-2 divide-x divide-zinc-100 lg:grid-cols-4">
          <Stat icon={ServerCrash} label="Detected" value={fmtSeconds(s.detectionS)} note={s.failedS !== null ? `declared failed at ${fmtOffset(s.failedS)}` : incident.kind === "host-failure" ? "not declared failed" : "after the start"} />
          <Stat
            icon={CheckCircle2}
            label="VMs recovered"
            value={
              <span data-testid="recovered-count">
                {s.recovered} of {s.total}
              </span>
            }
            note={s.inProgress ? `${s.inProgress} in progress` : s.notRecovered ? `${s.notRecovered} not recovered` : s.total ? "all running again" : "no VMs involved"}
          />
          <Stat icon={Clock} label="Recovery time" value={fmtSeconds(s.lastRecoveryS)} note={s.medianRecoveryS !== null ? `median ${fmtSeconds(s.medianRecoveryS)} per VM` : "down → running"} />
          <Stat icon={Activity} label={incident.closedAt ? "Total duration" : "Open for"} value={fmtSeconds(s.durationS)} note={incident.closedAt ? `closed ${fmtDateTime(incident.closedAt)}` : "ongoing"} />
        </div>
      </Card>

      {notRecovered.length > 0 && (
        <Card className="border-amber-300" aria-labelledby="not-recovered-title">
          <CardHeader id="not-recovered-title" title="Not recovered" note={`${notRecovered.length} VM${notRecovered.length === 1 ? "" : "s"}`} />
          <ul className="divide-y divide-zinc-100">
            {notRecovered.map((v) => (
              <li key={v.vmId} className="flex items-start gap-3 px-4 py-2 text-[13px]">
                <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0 text-amber-500" />
                <div className="min-w-0">
                  {exists.has(v.vmId) ? (
                    <Link href={`/vms/${v.vmId}`} className={entityLink}>
                      {v.vmName}
                    </Link>
                  ) : (
                    v.vmName
                  )}{" "}
                  <Badge tone={OUTCOME[v.outcome].tone}>{OUTCOME[v.outcome].label}</Badge>
                  <div className="text-[12.5px] text-zinc-600">{v.outcomeReason}</div>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      )}

      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <Card aria-labelledby="phases-title">
          <CardHeader id="phases-title" title="Timeline" note={`from ${fmtDateTime(t.startedAt)} (${incident.kind === "host-failure" ? "last heartbeat ≈ power loss" : "start"})`} />
          {t.phases.length === 0 ? (
            <EmptyState title="No events recorded">The controller writes an event for each step of the incident.</EmptyState>
          ) : (
            <ol className="relative px-4 py-3" aria-label="Incident phases">
              {t.phases.map((p, i) => (
                <li key={p.id} className="relative flex gap-3 pb-3 last:pb-0">
                  {i < t.phases.length - 1 && <span aria-hidden className="absolute top-3 left-[5px] h-full w-px bg-zinc-200" />}
                  <span aria-hidden className={cn("relative mt-1.5 size-[11px] shrink-0 rounded-full ring-2 ring-white", PHASE_TONE[p.kind] ?? "bg-zinc-400")} />
                  <div className="min-w-0 flex-1">
                    <div className="flex flex-wrap items-baseline gap-x-2">
                      <span className="text-[13px] font-medium text-zinc-900">{p.label}</span>
                      <span className="tabular font-mono text-[12px] text-zinc-600">{fmtOffset(p.offsetS)}</span>
                      {p.sincePrevS !== null && <span className="tabular text-[11.5px] text-zinc-500">{fmtSeconds(p.sincePrevS)} after the previous step</span>}
                    </div>
                    <div className="text-[12.5px] text-zinc-600">{p.message}</div>
                    {p.details.length > 0 && (
                      <ul className="mt-1 grid gap-x-4 text-[12px] text-zinc-600 sm:grid-cols-2">
                        {p.details.slice(0, 40).map((d, j) => (
                          <li key={j} className="truncate" title={d}>
                            {d}
                          </li>
                        ))}
                        {p.details.length > 40 && <li className="text-zinc-400">and {p.details.length - 40} more</li>}
                      </ul>
                    )}
                  </div>
                </li>
              ))}
            </ol>
          )}
        </Card>

        <Card aria-labelledby="incident-facts-title">
          <CardHeader id="incident-facts-title" title="Incident" />
          <CardBody>
            <DescriptionList
              columns={1}
              items={[
                {
                  label: "Host",
                  value: incident.host ? (
                    <span className="inline-flex items-center gap-2">
                      <Link href={`/hosts/${incident.host.id}`} className={entityLink}>
                        {incident.host.name}
                      </Link>
                      <HostStateBadge state={incident.host.state} />
                    </span>
                  ) : (
                    "—"
                  ),
                },
                { label: "Began", value: fmtDateTime(incident.openedAt) },
                { label: "Detected", value: incident.detectedAt ? fmtDateTime(incident.detectedAt) : "—" },
                { label: "Declared failed", value: incident.failedAt ? fmtDateTime(incident.failedAt) : "—" },
                { label: "Closed", value: incident.closedAt ? fmtDateTime(incident.closedAt) : "open" },
                {
                  label: "Events",
                  value: (
                    <span data-testid="incident-event-count">
                      {incident.events} recorded: {t.phases.length} on the timeline, {t.vms.reduce((n, v) => n + v.steps.length, 0)} in the VM lanes
                      {incident.eventsShared > 0 && ` (${incident.eventsShared} crash${incident.eventsShared === 1 ? "" : "es"} in both)`}
                      {incident.eventsCapped && " — the first 5,000 are shown"}
                    </span>
                  ),
                },
              ]}
            />
          </CardBody>
          <div className="border-t border-zinc-200">
            <div className="flex items-center justify-between px-4 pt-2">
              <h3 className="text-[12px] font-semibold text-zinc-900">Alerts</h3>
              {incident.alerts.length > 0 && (
                <Link href={`/alerts?status=all&incident=${incident.id}`} className="text-[12px] font-medium text-blue-700 hover:underline">
                  Review
                </Link>
              )}
            </div>
            {incident.alerts.length === 0 ? (
              <p className="px-4 py-2 text-[12.5px] text-zinc-500">No alerts were raised.</p>
            ) : (
              <ul className="divide-y divide-zinc-100 px-1 pb-1">
                {incident.alerts.slice(0, 12).map((a) => (
                  <li key={a.id} className="px-3 py-1.5">
                    <Link href={`/alerts/${a.id}`} className="group block">
                      <span className="flex items-center gap-2">
                        <SeverityBadge severity={a.severity} />
                        <span className="truncate text-[11.5px] text-zinc-600 group-hover:text-zinc-900" title={a.kind}>
                          {alertKindLabel(a.kind)}
                        </span>
                        <span className="ml-auto">
                          <AlertStatusBadge status={a.status} />
                        </span>
                      </span>
                      <span className="mt-0.5 line-clamp-2 text-[12px] text-zinc-700 group-hover:underline">{a.message}</span>
                    </Link>
                  </li>
                ))}
                {incident.alerts.length > 12 && <li className="px-3 py-1.5 text-[12px] text-zinc-500">and {incident.alerts.length - 12} more</li>}
              </ul>
            )}
          </div>
        </Card>
      </div>

      <Card aria-labelledby="vm-steps-title">
        <CardHeader id="vm-steps-title" title="VMs" note="each VM's steps, relative to the start; recovery = down → running" />
        {t.vms.length === 0 ? (
          <EmptyState title="No VMs involved">This incident did not touch any VM (the host had none running, or it came back in time).</EmptyState>
        ) : (
          <Table label="VMs of the incident">
            <THead>
              <tr>
                <Th>VM</Th>
                <Th>Outcome</Th>
                <Th>Target host</Th>
                <Th>Steps</Th>
                <Th align="right">Recovery</Th>
              </tr>
            </THead>
            <tbody>
              {t.vms.map((v) => (
                <VmRow key={v.vmId} lane={v} exists={exists.has(v.vmId)} />
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
