// An incident's timeline from the HA controller's events (lib/server/ha/controller.ts writes them;
// lib/server/ha/journal.ts ties them to the incident). Pure: no store, no clock — importable by
// tests and client code. Times are relative to the incident's start (the last heartbeat of a
// failed host ≈ the power loss; the crash of a VM; the detection of a network fault).

export interface TimelineEventInput {
  id: string;
  at: string;
  kind: string;
  message: string;
  hostId: string | null;
  vmId: string | null;
  data: Record<string, unknown> | null;
}

export interface TimelineIncidentInput {
  kind: string;
  openedAt: string;
  detectedAt: string | null;
  failedAt: string | null;
  closedAt: string | null;
}

/** A step of the incident as a whole (detection, countdown, failed, failover planned, closed…). */
export interface IncidentPhase {
  id: string;
  kind: string;
  label: string;
  message: string;
  at: string;
  /** Seconds since the incident began. */
  offsetS: number;
  /** Seconds since the previous phase (null for the first). */
  sincePrevS: number | null;
  details: string[];
}

export type VmStepKind = "planned" | "start-sent" | "start-queued" | "stop-sent" | "running" | "start-failed" | "unplaceable" | "not-restarted" | "stopped" | "migration-lost" | "crashed" | "other";

export interface VmStep {
  id: string;
  kind: VmStepKind;
  eventKind: string;
  label: string;
  message: string;
  at: string;
  offsetS: number;
  sincePrevS: number | null;
  /** Target host name of a planned / started step. */
  host: string | null;
  reasons: string[];
}

export type VmOutcome = "running" | "failed" | "waiting" | "not-restarted" | "in-progress";

export interface VmLane {
  vmId: string;
  vmName: string;
  steps: VmStep[];
  /** Host it was planned to (the last plan). */
  target: string | null;
  /** The engine's reasons for the last plan. */
  planReasons: string[];
  outcome: VmOutcome;
  /** Why it is not running (failed, waiting, not restarted). */
  outcomeReason: string | null;
  /** Seconds from the incident's start (VM down) to running. */
  recoveryS: number | null;
  /** Seconds from the plan to running (the start itself). */
  startS: number | null;
  attempts: number;
}

export interface IncidentTimeline {
  startedAt: string;
  phases: IncidentPhase[];
  vms: VmLane[];
  summary: {
    total: number;
    recovered: number;
    notRecovered: number;
    inProgress: number;
    /** Seconds from the start to the last VM running (null when none ran). */
    lastRecoveryS: number | null;
    /** Median recovery of the recovered VMs. */
    medianRecoveryS: number | null;
    /** Seconds from the start to detection and to the host declared failed. */
    detectionS: number | null;
    failedS: number | null;
    /** Seconds from the start to the close (or to `now` while open). */
    durationS: number;
  };
}

const PHASE_LABEL: Record<string, string> = {
  "host-unreachable": "Host unreachable",
  "countdown-started": "Countdown started",
  "host-failed": "Host declared failed",
  "host-online": "Host back online",
  "failover-planned": "Failover planned",
  "storage-network-down": "Storage network down",
  "storage-network-up": "Storage network back",
  "network-fault-ha": "Network fault: HA response",
  "incident-closed": "Incident closed",
  "vm-crashed": "VM crashed",
  "storage-redirected": "Storage path redirected",
  "nic-down": "NIC link down",
  "nic-up": "NIC link back",
};

const VM_STEP: Record<string, { kind: VmStepKind; label: string }> = {
  "vm-planned": { kind: "planned", label: "Planned" },
  "vm-start-sent": { kind: "start-sent", label: "Start sent" },
  "vm-start-queued": { kind: "start-queued", label: "Start queued" },
  "vm-stop-sent": { kind: "stop-sent", label: "Stop sent" },
  "stale-copy-stop-sent": { kind: "stop-sent", label: "Stale copy stopped" },
  "vm-running": { kind: "running", label: "Running" },
  "vm-start-failed": { kind: "start-failed", label: "Start failed" },
  "vm-unplaceable": { kind: "unplaceable", label: "Unplaceable" },
  "vm-not-restarted": { kind: "not-restarted", label: "Not restarted" },
  "vm-stopped": { kind: "stopped", label: "Stopped" },
  "vm-stop-failed": { kind: "other", label: "Stop failed" },
  "vm-migration-lost": { kind: "migration-lost", label: "Migration lost" },
  "vm-crashed": { kind: "crashed", label: "Crashed" },
};

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : [];
}

function str(x: unknown): string | null {
  return typeof x === "string" ? x : null;
}

const round1 = (s: number) => Math.round(s * 10) / 10;

function phaseDetails(e: TimelineEventInput): string[] {
  const d = e.data ?? {};
  if (e.kind === "failover-planned") {
    const out: string[] = [];
    for (const o of (Array.isArray(d.order) ? d.order : []) as { vm?: string; to?: string }[]) out.push(`${o.vm ?? "?"} → ${o.to ?? "?"}`);
    for (const u of (Array.isArray(d.unplaceable) ? d.unplaceable : []) as { vm?: string; reasons?: unknown }[])
      out.push(`${u.vm ?? "?"}: no host (${strings(u.reasons).slice(0, 2).join("; ")})`);
    for (const s of (Array.isArray(d.skipped) ? d.skipped : []) as { vm?: string; reason?: unknown }[]) out.push(`${s.vm ?? "?"}: not restarted (${str(s.reason) ?? ""})`);
    return out;
  }
  return [];
}

/**
 * Builds the timeline: incident-level phases and one lane per VM the incident touched, each step
 * with its offset from the start and the time since the step before; the outcome and recovery
 * time per VM; a summary.
 */
export function buildIncidentTimeline(
  incident: TimelineIncidentInput,
  events: TimelineEventInput[],
  vmNames: Map<string, string>,
  now: number,
): IncidentTimeline {
  const t0 = new Date(incident.openedAt).getTime();
  const off = (iso: string) => round1((new Date(iso).getTime() - t0) / 1000);
  const sorted = [...events].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));

  const phases: IncidentPhase[] = [];
  const lanes = new Map<string, VmLane>();
  for (const e of sorted) {
    const vmStep = e.vmId ? VM_STEP[e.kind] : undefined;
    if (e.vmId && (vmStep || !PHASE_LABEL[e.kind])) {
      let lane = lanes.get(e.vmId);
      if (!lane) {
        lane = {
          vmId: e.vmId,
          vmName: vmNames.get(e.vmId) ?? e.vmId,
          steps: [],
          target: null,
          planReasons: [],
          outcome: "in-progress",
          outcomeReason: null,
          recoveryS: null,
          startS: null,
          attempts: 0,
        };
        lanes.set(e.vmId, lane);
      }
      const prev = lane.steps.at(-1);
      const d = e.data ?? {};
      const step: VmStep = {
        id: e.id,
        kind: vmStep?.kind ?? "other",
        eventKind: e.kind,
        label: vmStep?.label ?? e.kind,
        message: e.message,
        at: e.at,
        offsetS: off(e.at),
        sincePrevS: prev ? round1((new Date(e.at).getTime() - new Date(prev.at).getTime()) / 1000) : null,
        host: str(d.to),
        reasons: strings(d.reasons),
      };
      if (step.kind === "start-failed" && str(d.error)) step.reasons = [str(d.error)!];
      if (step.kind === "not-restarted" && str(d.reason)) step.reasons = [str(d.reason)!];
      lane.steps.push(step);
      // A crash also marks the incident itself.
      if (e.kind !== "vm-crashed") continue;
    }
    const prev = phases.at(-1);
    phases.push({
      id: e.id,
      kind: e.kind,
      label: PHASE_LABEL[e.kind] ?? e.kind,
      message: e.message,
      at: e.at,
      offsetS: off(e.at),
      sincePrevS: prev ? round1((new Date(e.at).getTime() - new Date(prev.at).getTime()) / 1000) : null,
      details: phaseDetails(e),
    });
  }

  for (const lane of lanes.values()) {
    let lastPlan: VmStep | null = null;
    for (const s of lane.steps) {
      if (s.kind === "planned") {
        lastPlan = s;
        lane.target = s.host;
        lane.planReasons = s.reasons;
        lane.attempts++;
      }
    }
    const last = [...lane.steps].reverse().find((s) => s.kind !== "other" && s.kind !== "stopped" && s.kind !== "stop-sent");
    const running = [...lane.steps].reverse().find((s) => s.kind === "running");
    if (last?.kind === "running" && running) {
      lane.outcome = "running";
      lane.recoveryS = running.offsetS;
      lane.startS = lastPlan ? round1((new Date(running.at).getTime() - new Date(lastPlan.at).getTime()) / 1000) : null;
    } else if (last?.kind === "unplaceable") {
      lane.outcome = "waiting";
      lane.outcomeReason = last.reasons.slice(0, 3).join("; ") || last.message;
    } else if (last?.kind === "not-restarted") {
      lane.outcome = "not-restarted";
      lane.outcomeReason = last.reasons[0] ?? last.message;
    } else if (last?.kind === "start-failed") {
      lane.outcome = "failed";
      lane.outcomeReason = last.reasons[0] ?? last.message;
    } else if (incident.closedAt) {
      lane.outcome = running ? "running" : "failed";
      if (running) lane.recoveryS = running.offsetS;
      else lane.outcomeReason = last?.message ?? "no start recorded";
    }
  }

  const vms = [...lanes.values()].sort((a, b) => (a.recoveryS ?? Infinity) - (b.recoveryS ?? Infinity) || a.vmName.localeCompare(b.vmName));
  const recovered = vms.filter((v) => v.outcome === "running");
  const rec = recovered.map((v) => v.recoveryS!).sort((a, b) => a - b);
  const median = rec.length ? (rec.length % 2 ? rec[(rec.length - 1) / 2] : round1((rec[rec.length / 2 - 1] + rec[rec.length / 2]) / 2)) : null;
  const end = incident.closedAt ? new Date(incident.closedAt).getTime() : now;
  return {
    startedAt: incident.openedAt,
    phases,
    vms,
    summary: {
      total: vms.length,
      recovered: recovered.length,
      notRecovered: vms.filter((v) => v.outcome !== "running" && v.outcome !== "in-progress").length,
      inProgress: vms.filter((v) => v.outcome === "in-progress").length,
      lastRecoveryS: rec.length ? rec[rec.length - 1] : null,
      medianRecoveryS: median,
      detectionS: incident.detectedAt ? off(incident.detectedAt) : null,
      failedS: incident.failedAt ? off(incident.failedAt) : null,
      durationS: round1(Math.max(0, end - t0) / 1000),
    },
  };
}

/** "850 ms", "4.2 s", "2 min 5 s", "1 h 3 min". */
export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "—";
  if (s < 1 && s > 0) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "+12.3 s" offsets from the incident's start. */
export function fmtOffset(s: number): string {
  return `${s < 0 ? "−" : "+"}${fmtSeconds(Math.abs(s)) === "—" ? "0 s" : fmtSeconds(Math.abs(s))}`;
}
