import "server-only";
// The engine's view of the cluster for the dashboards: one snapshot, the Guarantee assessment,
// HA eligibility of every VM and the device-tag summary — computed once per inventory version
// and kept in memory. At 1,000 hosts / 20,000 VMs a computation costs seconds, so when the last
// one was slow the previous view is served (marked stale, with its age) while the next one is
// computed in the background, at most one at a time and not more often than MIN_GAP_MS × cost.
import { getDb, type Db } from "@/lib/server/db";
import { loadSnapshot } from "@/lib/server/snapshot";
import {
  assessGuarantee,
  clusterTagSummary,
  haEligibility,
  type ClusterSnapshot,
  type GuaranteeAssessment,
  type HaEligibility,
  type SnapshotHost,
  type SnapshotVm,
  type TagSummary,
} from "@/lib/engine";
import { getInventoryVersion } from "@/lib/server/queries/changes";

/** Above this many host pairs, two-host failure sets are not evaluated (one plan per pair). */
export const MAX_PAIR_SETS = 5_000;
/** A computation slower than this is refreshed in the background (the old view is served meanwhile). */
const SLOW_MS = 250;
/** After a slow computation, wait at least this multiple of its cost before the next one. */
const MIN_GAP_FACTOR = 3;

export interface HaTimings {
  heartbeatS: number;
  missedHeartbeats: number;
  failureTimeoutS: number;
  isolationTimeoutS: number;
  vmStartS: number;
}

export const DEFAULT_TIMINGS: HaTimings = { heartbeatS: 1, missedHeartbeats: 3, failureTimeoutS: 30, isolationTimeoutS: 20, vmStartS: 5 };

/** Expected recovery after a power loss: unreachable after the missed heartbeats, failed after the countdown, running after the boot. */
export function recoveryEstimate(t: HaTimings): { detectS: number; failureTimeoutS: number; vmStartS: number; totalS: number } {
  const detectS = round(t.missedHeartbeats * t.heartbeatS);
  return { detectS, failureTimeoutS: t.failureTimeoutS, vmStartS: t.vmStartS, totalS: round(detectS + t.failureTimeoutS + t.vmStartS) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export interface EngineView {
  version: string;
  /** Wall-clock ms when the snapshot was read. */
  computedAt: number;
  computeMs: number;
  clusterName: string | null;
  timings: HaTimings;
  snapshot: ClusterSnapshot;
  assessment: GuaranteeAssessment;
  /** Failure-set size the assessment covers (the policy's fault tolerance unless pairs were skipped). */
  assessedUpTo: 1 | 2;
  /** Host pairs not evaluated (too many at this cluster size); 0 when everything was. */
  pairsSkipped: number;
  eligibility: Map<string, HaEligibility>;
  tags: TagSummary[];
  vmById: Map<string, SnapshotVm>;
  hostById: Map<string, SnapshotHost>;
  /** VMs holding resources per host id. */
  vmsByHost: Map<string, SnapshotVm[]>;
  /** Memo of per-host what-if results (filled by lib/server/dashboard/what-if.ts). */
  memo: Map<string, unknown>;
}

/**
 * The Guarantee assessment within budget: with fault tolerance 2 on a cluster of more than
 * ~100 online hosts the pairs are not planned (one failover plan each); single failures are.
 */
export function assessWithinBudget(snapshot: ClusterSnapshot): { assessment: GuaranteeAssessment; assessedUpTo: 1 | 2; pairsSkipped: number } {
  const online = snapshot.hosts.filter((h) => h.state === "online").length;
  const pairs = (online * (online - 1)) / 2;
  if (snapshot.policy.faultTolerance === 2 && pairs > MAX_PAIR_SETS) {
    const single = assessGuarantee({ ...snapshot, policy: { ...snapshot.policy, faultTolerance: 1 } });
    return { assessment: { ...single, faultTolerance: 2 }, assessedUpTo: 1, pairsSkipped: pairs };
  }
  return { assessment: assessGuarantee(snapshot), assessedUpTo: snapshot.policy.faultTolerance, pairsSkipped: 0 };
}

/** Builds the view from a snapshot (pure apart from the clock; tests call it directly). */
export function buildEngineView(snapshot: ClusterSnapshot, extra: { version: string; clusterName: string | null; timings: HaTimings }): EngineView {
  const started = performance.now();
  const { assessment, assessedUpTo, pairsSkipped } = assessWithinBudget(snapshot);
  const eligibility = new Map(haEligibility(snapshot).map((e) => [e.vmId, e]));
  const tags = clusterTagSummary(snapshot);
  const vmsByHost = new Map<string, SnapshotVm[]>();
  for (const vm of snapshot.vms) {
    if (!vm.hostId) continue;
    const l = vmsByHost.get(vm.hostId);
    if (l) l.push(vm);
    else vmsByHost.set(vm.hostId, [vm]);
  }
  return {
    version: extra.version,
    computedAt: Date.now(),
    computeMs: performance.now() - started,
    clusterName: extra.clusterName,
    timings: extra.timings,
    snapshot,
    assessment,
    assessedUpTo,
    pairsSkipped,
    eligibility,
    tags,
    vmById: new Map(snapshot.vms.map((v) => [v.id, v])),
    hostById: new Map(snapshot.hosts.map((h) => [h.id, h])),
    vmsByHost,
    memo: new Map(),
  };
}

async function computeView(db: Db, version: string): Promise<EngineView> {
  const started = performance.now();
  const [snapshot, cluster] = await Promise.all([
    loadSnapshot(db),
    db.cluster.findFirst({
      orderBy: { createdAt: "asc" },
      select: { name: true, heartbeatS: true, missedHeartbeats: true, failureTimeoutS: true, isolationTimeoutS: true, vmStartS: true },
    }),
  ]);
  const timings: HaTimings = cluster
    ? {
        heartbeatS: cluster.heartbeatS,
        missedHeartbeats: cluster.missedHeartbeats,
        failureTimeoutS: cluster.failureTimeoutS,
        isolationTimeoutS: cluster.isolationTimeoutS,
        vmStartS: cluster.vmStartS,
      }
    : DEFAULT_TIMINGS;
  const view = buildEngineView(snapshot, { version, clusterName: cluster?.name ?? null, timings });
  view.computeMs = performance.now() - started;
  return view;
}

interface State {
  current?: EngineView;
  pending?: { version: string; promise: Promise<EngineView> };
  lastStartedAt: number;
}
const states = new WeakMap<Db, State>();

function stateOf(db: Db): State {
  let s = states.get(db);
  if (!s) states.set(db, (s = { lastStartedAt: 0 }));
  return s;
}

function startCompute(db: Db, s: State, version: string): Promise<EngineView> {
  s.lastStartedAt = Date.now();
  const promise = computeView(db, version).then(
    (v) => {
      if (!s.current || s.current.computedAt <= v.computedAt) s.current = v;
      if (s.pending?.promise === promise) s.pending = undefined;
      return v;
    },
    (err) => {
      if (s.pending?.promise === promise) s.pending = undefined;
      throw err;
    },
  );
  s.pending = { version, promise };
  return promise;
}

export interface EngineViewResult {
  view: EngineView;
  /** The view is older than the store (a fresh one is being computed). */
  stale: boolean;
}

/**
 * The engine view for the store's current inventory version. `fresh: true` always waits for a
 * view of the current version (tests, previews); otherwise a slow cluster may get the previous
 * view, marked stale, while the next one is computed.
 */
export async function getEngineView(db: Db = getDb(), opts: { fresh?: boolean } = {}): Promise<EngineViewResult> {
  const s = stateOf(db);
  const version = await getInventoryVersion(db);
  if (s.current?.version === version) return { view: s.current, stale: false };
  const cur = s.current;
  const slow = cur !== undefined && cur.computeMs > SLOW_MS;
  if (!opts.fresh && cur && slow) {
    const gapOk = Date.now() - s.lastStartedAt >= Math.max(2_000, cur.computeMs * MIN_GAP_FACTOR);
    if (!s.pending && gapOk) startCompute(db, s, version).catch((err) => console.error("dashboard: the engine view could not be computed", err));
    return { view: cur, stale: true };
  }
  if (s.pending?.version === version) return { view: await s.pending.promise, stale: false };
  if (s.pending) await s.pending.promise.catch(() => undefined);
  if (s.current?.version === version) return { view: s.current, stale: false };
  return { view: await startCompute(db, s, version), stale: false };
}

/** Forget the cached view of a store (tests; after a bulk import). */
export function dropEngineView(db: Db = getDb()): void {
  states.delete(db);
}
