import "server-only";
// Cluster HA settings: read, preview the consequence of a change with the engine (before it is
// saved), and save (admins; one audit row). A save is handed to the running HA controller at once.
import { getDb, type Db } from "@/lib/server/db";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { authorize } from "@/lib/server/auth/principal";
import { writeAuditRow, type AuditCtx } from "@/lib/server/audit";
import { getController } from "@/lib/server/ha/controller";
import { control } from "@/lib/server/control/client";
import { ZHaSettingsInput, type THaSettings } from "@/lib/schemas/ha-settings";
import { buildEngineView, getEngineView, recoveryEstimate, type EngineView } from "@/lib/server/dashboard/engine-view";
import { haCardFromView, splitUnabsorbableReason, type HaCardData, type UnabsorbableSet } from "@/lib/server/queries/dashboard";
import { fmtMem } from "@/lib/engine/format";

export type HaSettings = THaSettings & { clusterId: string; clusterName: string; updatedAt: string };

const SELECT = {
  id: true,
  name: true,
  haMode: true,
  faultTolerance: true,
  reservation: true,
  heartbeatS: true,
  missedHeartbeats: true,
  failureTimeoutS: true,
  isolationTimeoutS: true,
  vmStartS: true,
  failback: true,
  restartMaxRestarts: true,
  restartMaxRelocations: true,
  maintenanceRebuildAfterS: true,
  updatedAt: true,
} as const;

type Row = { id: string; name: string; haMode: string; faultTolerance: number; reservation: string; heartbeatS: number; missedHeartbeats: number; failureTimeoutS: number; isolationTimeoutS: number; vmStartS: number; failback: boolean; restartMaxRestarts: number; restartMaxRelocations: number | null; maintenanceRebuildAfterS: number | null; updatedAt: Date };

function toSettings(c: Row): HaSettings {
  return {
    clusterId: c.id,
    clusterName: c.name,
    haMode: c.haMode as THaSettings["haMode"],
    faultTolerance: (c.faultTolerance === 2 ? 2 : 1) as 1 | 2,
    reservation: c.reservation as THaSettings["reservation"],
    heartbeatS: c.heartbeatS,
    missedHeartbeats: c.missedHeartbeats,
    failureTimeoutS: c.failureTimeoutS,
    isolationTimeoutS: c.isolationTimeoutS,
    vmStartS: c.vmStartS,
    failback: c.failback,
    restartMaxRestarts: c.restartMaxRestarts,
    restartMaxRelocations: c.restartMaxRelocations,
    maintenanceRebuildAfterS: c.maintenanceRebuildAfterS,
    updatedAt: c.updatedAt.toISOString(),
  };
}

const pick = (s: THaSettings): THaSettings => ({
  haMode: s.haMode,
  faultTolerance: s.faultTolerance,
  reservation: s.reservation,
  heartbeatS: s.heartbeatS,
  missedHeartbeats: s.missedHeartbeats,
  failureTimeoutS: s.failureTimeoutS,
  isolationTimeoutS: s.isolationTimeoutS,
  vmStartS: s.vmStartS,
  failback: s.failback,
  restartMaxRestarts: s.restartMaxRestarts,
  restartMaxRelocations: s.restartMaxRelocations ?? null,
  maintenanceRebuildAfterS: s.maintenanceRebuildAfterS ?? null,
});

/** The managed cluster's HA settings; null before any cluster exists. */
export async function getHaSettings(db: Db = getDb()): Promise<HaSettings | null> {
  const c = await db.cluster.findFirst({ orderBy: { createdAt: "asc" }, select: SELECT });
  return c ? toSettings(c) : null;
}

function parse(input: unknown): THaSettings {
  const r = ZHaSettingsInput.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Check the highlighted fields");
  return r.data;
}

// ------------------------------------------------------------------ preview

export interface HaPreviewSummary {
  haMode: string;
  faultTolerance: number;
  reservation: string;
  toleratedFailures: number;
  unabsorbable: number;
  protectedRunning: number;
  running: number;
  reserveCpus: number;
  reserveMemoryMiB: number;
  recoveryS: number;
}

export interface HaPreview {
  /** Sentences for the admin, most important first. */
  headlines: { tone: "red" | "amber" | "green" | "blue"; text: string }[];
  current: HaPreviewSummary;
  proposed: HaPreviewSummary;
  /** VMs that some failure set of `faultTolerance` hosts would leave with nowhere to restart. */
  vmsWithoutReserve: { vmId: string | null; vmName: string }[];
  vmsWithoutReserveCount: number;
  /** Failure sets the proposed policy could not absorb (first few). */
  unabsorbable: UnabsorbableSet[];
  /** VMs only one host could ever run: outside the Guarantee (not counted against it), with why. */
  notProtected: { vmId: string; vmName: string; reason: string }[];
  notProtectedCount: number;
  losesEligibility: { vmId: string; vmName: string; reason: string }[];
  losesEligibilityCount: number;
  gainsEligibilityCount: number;
  pairsSkipped: number;
  changed: (keyof THaSettings)[];
}

const MODE: Record<string, string> = { default: "Default", guarantee: "Guarantee", disabled: "Disabled" };
const MAX_LIST = 30;

function summary(card: HaCardData, recoveryS: number): HaPreviewSummary {
  return {
    haMode: card.policy.haMode,
    faultTolerance: card.policy.faultTolerance,
    reservation: card.policy.reservation,
    toleratedFailures: card.toleratedFailures,
    unabsorbable: card.unabsorbable.total,
    protectedRunning: card.protection.protectedRunning,
    running: card.protection.running,
    reserveCpus: card.reserve.totalCpus,
    reserveMemoryMiB: card.reserve.totalMemoryMiB,
    recoveryS,
  };
}

function names(list: { vmName: string }[], n = 5): string {
  const shown = list.slice(0, n).map((v) => v.vmName).join(", ");
  return list.length > n ? `${shown} and ${list.length - n} more` : shown;
}

/** What the proposed settings would mean for this cluster now — computed, nothing saved. */
export function previewFromView(current: EngineView, proposedSettings: THaSettings, saved: THaSettings): HaPreview {
  const s = proposedSettings;
  const policy = { haMode: s.haMode, faultTolerance: s.faultTolerance, reservation: s.reservation };
  const samePolicy = policy.haMode === current.snapshot.policy.haMode && policy.faultTolerance === current.snapshot.policy.faultTolerance && policy.reservation === current.snapshot.policy.reservation;
  const timings = { heartbeatS: s.heartbeatS, missedHeartbeats: s.missedHeartbeats, failureTimeoutS: s.failureTimeoutS, isolationTimeoutS: s.isolationTimeoutS, vmStartS: s.vmStartS };
  const proposed = samePolicy
    ? { ...current, timings }
    : buildEngineView({ ...current.snapshot, policy }, { version: `${current.version}+preview`, clusterName: current.clusterName, timings });

  const curCard = haCardFromView(current);
  const newCard = haCardFromView(proposed);
  const curRecovery = recoveryEstimate(current.timings).totalS;
  const newRecovery = recoveryEstimate(timings).totalS;

  const byName = new Map(current.snapshot.vms.map((v) => [v.name, v.id]));
  const without = new Map<string, { vmId: string | null; vmName: string }>();
  for (const u of proposed.assessment.unabsorbable) {
    for (const r of u.reasons) {
      const it = splitUnabsorbableReason(r, byName);
      if (it.vmName && !without.has(it.vmName)) without.set(it.vmName, { vmId: it.vmId, vmName: it.vmName });
    }
  }
  const vmsWithoutReserve = [...without.values()].sort((a, b) => a.vmName.localeCompare(b.vmName));

  const loses: HaPreview["losesEligibility"] = [];
  let losesCount = 0;
  let gains = 0;
  for (const vm of current.snapshot.vms) {
    const before = current.eligibility.get(vm.id)?.eligible ?? false;
    const after = proposed.eligibility.get(vm.id);
    if (before && after && !after.eligible) {
      losesCount += 1;
      if (loses.length < MAX_LIST) loses.push({ vmId: vm.id, vmName: vm.name, reason: after.reasons[0] ?? "not HA-eligible" });
    } else if (!before && after?.eligible) gains += 1;
  }

  const ft = policy.faultTolerance;
  const headlines: HaPreview["headlines"] = [];
  const mode = `${MODE[policy.haMode]} mode with FT${ft}`;
  if (policy.haMode === "disabled") {
    headlines.push({ tone: "red", text: `HA disabled: ${newCard.protection.running} running VMs would no longer be restarted when their host fails, and isolated hosts would keep their VMs running` });
  } else {
    const t = newCard.toleratedFailures;
    headlines.push({
      tone: t >= ft ? "green" : t > 0 ? "amber" : "red",
      text: `${mode} tolerates ${t} of ${ft} required host failure${ft === 1 ? "" : "s"}${proposed.pairsSkipped ? " (single failures evaluated; too many host pairs to plan)" : ""}`,
    });
    if (vmsWithoutReserve.length) {
      const which = vmsWithoutReserve.length === 1 ? "this VM" : `these ${vmsWithoutReserve.length} VMs`;
      headlines.push({
        tone: "red",
        text:
          policy.haMode === "guarantee"
            ? `${mode} would leave ${which} without a reserve: ${names(vmsWithoutReserve)}`
            : `${mode} would leave ${which} with nowhere to restart if ${ft === 1 ? "their host fails" : "two hosts fail"}: ${names(vmsWithoutReserve)}`,
      });
    }
    const np = newCard.notProtected;
    if (policy.haMode === "guarantee" && np.total) {
      headlines.push({
        tone: "amber",
        text: `${np.total === 1 ? "1 VM is" : `${np.total} VMs are`} not protected — only one host could ever run ${np.total === 1 ? "it" : "them"}, so ${np.total === 1 ? "it is" : "they are"} left out of the guarantee: ${names(np.vms)}`,
      });
    }
    if (policy.haMode === "guarantee") {
      if (t < ft)
        headlines.push({
          tone: "red",
          text: `Guarantee mode would refuse every power-on until capacity is added or VMs are stopped (the cluster already cannot absorb the failures)${np.total ? "; VMs that are not protected can still be powered on" : ""}`,
        });
      else
        headlines.push({
          tone: "blue",
          text: `Guarantee mode keeps ${newCard.reserve.totalCpus} vCPU and ${fmtMem(newCard.reserve.totalMemoryMiB)} free across ${newCard.onlineHosts} hosts (${policy.reservation === "segment" ? "segment-based" : "host-based"}); power-ons that would break it are refused`,
        });
    }
  }
  if (losesCount) headlines.push({ tone: "amber", text: `${losesCount} VM${losesCount === 1 ? "" : "s"} would no longer qualify for HA: ${names(loses)}` });
  if (gains) headlines.push({ tone: "green", text: `${gains} VM${gains === 1 ? "" : "s"} would qualify for HA again` });
  if (curRecovery !== newRecovery) headlines.push({ tone: newRecovery < curRecovery ? "green" : "amber", text: `Expected recovery after a power loss: ≈ ${curRecovery} s → ≈ ${newRecovery} s` });
  const changed = (Object.keys(saved) as (keyof THaSettings)[]).filter((k) => saved[k] !== s[k]);
  if (changed.includes("failback")) {
    headlines.push(
      s.failback
        ? { tone: "blue", text: "Failback on: standard VMs away from their preferred host live-migrate back when it has room (paced), and maintenance exit brings back the VMs it moved" }
        : { tone: "amber", text: "Failback off: VMs stay where a failover or a maintenance put them, unless their placement group opts in" },
    );
  }
  if (changed.includes("restartMaxRestarts") || changed.includes("restartMaxRelocations")) {
    const reloc = s.restartMaxRelocations === null ? "no limit on relocations" : `at most ${s.restartMaxRelocations} relocation${s.restartMaxRelocations === 1 ? "" : "s"}, then the VM waits in error for a retry`;
    headlines.push({ tone: "blue", text: `Restart policy for VMs without their own: ${s.restartMaxRestarts} restart${s.restartMaxRestarts === 1 ? "" : "s"} on the same host, ${reloc}` });
  }
  if (changed.includes("heartbeatS") || changed.includes("isolationTimeoutS") || changed.includes("vmStartS")) {
    headlines.push({ tone: "amber", text: "Host agents learn the heartbeat interval and isolation timeout when they register; agents already running keep theirs until they register again" });
  }

  return {
    headlines,
    current: summary(curCard, curRecovery),
    proposed: summary(newCard, newRecovery),
    vmsWithoutReserve: vmsWithoutReserve.slice(0, MAX_LIST),
    vmsWithoutReserveCount: vmsWithoutReserve.length,
    unabsorbable: newCard.unabsorbable.sets.slice(0, 10),
    notProtected: newCard.notProtected.vms.map((v) => ({ vmId: v.vmId, vmName: v.vmName, reason: v.reasons[0] ?? "only one host could ever run it" })),
    notProtectedCount: newCard.notProtected.total,
    losesEligibility: loses,
    losesEligibilityCount: losesCount,
    gainsEligibilityCount: gains,
    pairsSkipped: proposed.pairsSkipped,
    changed,
  };
}

/** Admins: the consequence of proposed HA settings on the cluster as it is now (nothing is saved). */
export async function previewHaSettings(input: unknown, ctx?: AuditCtx): Promise<HaPreview> {
  authorize(ctx, "admin");
  const proposed = parse(input);
  const db = ctx?.db ?? getDb();
  const saved = await getHaSettings(db);
  if (!saved) throw new AppError("NOT_FOUND", "There is no cluster yet: import one first");
  const { view } = await getEngineView(db, { fresh: true });
  return previewFromView(view, proposed, pick(saved));
}

// ------------------------------------------------------------------ save

export interface SaveHaSettingsResult {
  settings: HaSettings;
  changed: (keyof THaSettings)[];
  /** The running HA controller took the new settings (false when none runs in this process). */
  controllerUpdated: boolean;
}

/** Admins: saves the cluster's HA settings (validated; one audit row) and hands them to the running controller. */
export async function updateHaSettings(input: unknown, ctx?: AuditCtx): Promise<SaveHaSettingsResult> {
  authorize(ctx, "admin");
  const next = parse(input);
  const db = ctx?.db ?? getDb();
  const { before, after } = await db.$transaction(async (tx) => {
    const cur = await tx.cluster.findFirst({ orderBy: { createdAt: "asc" }, select: SELECT });
    if (!cur) throw new AppError("NOT_FOUND", "There is no cluster yet: import one first");
    const row = await tx.cluster.update({ where: { id: cur.id }, data: pick(next), select: SELECT });
    const b = pick(toSettings(cur));
    const a = pick(toSettings(row));
    await writeAuditRow(tx, ctx, "update-ha-settings", `cluster:${cur.id}`, b, a);
    return { before: b, after: toSettings(row) };
  });
  const changed = (Object.keys(before) as (keyof THaSettings)[]).filter((k) => before[k] !== after[k]);
  // The running controller (in its own process, usually) takes the new settings at once.
  const controllerUpdated = await control("applySettings", after).catch(() => false);
  return { settings: after, changed, controllerUpdated };
}

/**
 * The running controller keeps the policy and timings it read at start (HaController.timing,
 * haMode, faultTolerance — public fields): set them and ask for a re-evaluation. Host agents learn
 * the heartbeat and isolation timeout when they register.
 */
export function applyToController(s: HaSettings): boolean {
  const ctl = getController();
  if (!ctl || (ctl.clusterId && ctl.clusterId !== s.clusterId)) return false;
  ctl.timing = {
    heartbeatMs: s.heartbeatS * 1000,
    missed: s.missedHeartbeats,
    failureTimeoutMs: s.failureTimeoutS * 1000,
    isolationTimeoutMs: s.isolationTimeoutS * 1000,
    vmStartMs: s.vmStartS * 1000,
  };
  ctl.haMode = s.haMode;
  ctl.faultTolerance = s.faultTolerance;
  // Restart policy defaults and the maintenance rebuild delay: the controller reads them at start;
  // `setPolicy` takes a saved change at once. Failback is read from the store by each failback pass.
  ctl.setPolicy({
    maxRestarts: s.restartMaxRestarts,
    maxRelocations: s.restartMaxRelocations ?? null,
    maintenanceRebuildAfterMs: s.maintenanceRebuildAfterS != null ? s.maintenanceRebuildAfterS * 1000 : null,
  });
  ctl.notifyChanged({ capacity: true, inventory: true });
  return true;
}
