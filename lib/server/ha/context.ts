import "server-only";
// The HA controller's context: what every room of lib/server/ha shares — the store, the clock,
// the log, the alert book, the cluster's timing and policy, the host map (liveness, reports and
// the failover hand-off per host), the flags that wake the planner and the evaluation, and the
// one transaction helper (events reach listeners and command hints apply after commit).
import type { Prisma, PrismaClient } from "@prisma/client";
import type { ClusterSnapshot, HostState } from "@/lib/engine";
import type { TStartVmPayload } from "@/lib/schemas/agent";
import { loadSnapshot } from "@/lib/server/snapshot";
import { AlertBook } from "./alerts";
import { EventSink, type RecordedEvent } from "./journal";
import type { Clock } from "./clock";
import { Cadence, LoopLag, Pacer } from "./pacing";
import { createStderrLogger, type Logger } from "./log";

export type Tx = Prisma.TransactionClient;
export type CommandRow = { id: string; hostId: string; vmId: string | null; kind: string; payload: string; generation: number; status: string };

export const HEARTBEAT_PERSIST_MS = 10_000;
export const RESYNC_MS = 15_000;
/** Agents re-read the command queue this often even without a hint (commands written elsewhere). */
export const COMMAND_POLL_FALLBACK_MS = 30_000;
/** Unknown VMs reported by a host: at most this many ids in its one event per episode. */
export const UNKNOWN_VMS_LISTED = 20;
/** A new unknown-VM episode of a host is recorded at most this often (a flapping report stays one). */
export const UNKNOWN_VMS_EVENT_MIN_MS = 60_000;
/** Per host: heartbeats in a burst, and heartbeats per heartbeat interval it may keep sending. */
export const HEARTBEAT_LIMIT = { burst: 10, perInterval: 4 } as const;
/** Pending VMs: retried after this long without a capacity change, doubling up to the max. */
export const PENDING_BACKOFF_MIN_MS = 5_000;
export const PENDING_BACKOFF_MAX_MS = 60_000;

/** What the failure detector measured of its own lag (ms): for metrics and the health page. */
export interface DetectorLag {
  /** Time without any observation (step or heartbeat) before the last step. */
  lastMs: number;
  /** The longest such gap since the controller started. */
  maxMs: number;
  /** Gaps longer than one heartbeat interval: stalls whose time was credited to every host. */
  stalls: number;
  /** Total unobserved time credited. */
  unobservedMs: number;
  /** The last stall: when it ended (console clock) and how long it was. */
  lastStall: { at: number; ms: number } | null;
}

export interface HaDeps {
  db: PrismaClient;
  clock: Clock;
  log?: Logger;
  /** Hears of every event after its transaction committed (scenario runner, live UI). */
  onEvent?: (e: RecordedEvent) => void;
  /** Re-read hosts and open alerts this often (inventory edited elsewhere). Default 15 s. */
  resyncMs?: number;
  /**
   * On the wall clock with other work in the process (agent listener, demo fleet, health): give
   * the event loop a turn between transactions and during evaluation, and space evaluations out
   * by their cost (lib/server/ha/pacing.ts). Off for the scenario runner and tests (deterministic
   * interleaving on a virtual clock).
   */
  pacing?: boolean;
  /**
   * Agents re-read their command queue this often without a hint. Every command this process
   * writes hints its host at once; the fallback covers commands written by another process.
   * Default 30 s; Infinity when this controller is the only writer (the scenario runner).
   */
  commandPollFallbackMs?: number;
  /**
   * Per-host heartbeat rate limit (token bucket; a refused heartbeat is a 429). Default
   * HEARTBEAT_LIMIT; `false` (or HAVEN_HEARTBEAT_RATE_LIMIT=off in the environment) turns it off.
   */
  heartbeatLimit?: { burst: number; perInterval: number } | false;
}

export interface Timing {
  heartbeatMs: number;
  missed: number;
  failureTimeoutMs: number;
  isolationTimeoutMs: number;
  vmStartMs: number;
}

export interface AgentReport {
  vms: Map<string, { generation: number; state: "running" | "starting" }>;
  nics: Map<string, boolean>;
  storageHealthy?: boolean;
}

export interface HostMem {
  id: string;
  name: string;
  state: HostState;
  since: number;
  /** Last heartbeat, or the controller's start for a host not heard from yet (the grace). */
  lastHb: number;
  /** Last heartbeat actually received by this controller instance (0: none yet). */
  heard: number;
  lastHbPersisted: number;
  report: AgentReport | null;
  reportSig: string;
  reportDirty: boolean;
  nics: { id: string; name: string; role: string; bond: string | null; linkUp: boolean }[];
  storageHealthy: boolean;
  incidentId: string | null;
  netFault: { since: number; incidentId: string; triggered: boolean } | null;
  /**
   * The hand-off from detection to failover: set (with the order it was set in) when the host is
   * declared failed or its network-fault HA triggers; the step passes the ids of such hosts to
   * runFailover, which clears it once it has planned them (null: nothing to fail over).
   */
  failoverDue: number | null;
  /** The latest heartbeat's seq (null: none yet) and the agent run it belongs to (+1 when seq goes down). */
  hbSeq: number | null;
  hbRun: number;
  /** The latest heartbeat's `commandsSeen` (null: the agent does not send it). */
  seen: Set<string> | null;
  /** When the agent fetched commands, and the heartbeat the console had from it then (newest last). */
  fetches: { at: number; run: number; seq: number | null }[];
  /** Starts were fetched (or one waits for a later report): reconcile the next heartbeat even if unchanged. */
  recheckStarts: boolean;
  /** Unknown VMs reported: the current episode (open while reports keep listing some). */
  unknownVms: { open: boolean; eventAt: number } | null;
}

export type StartPurpose = TStartVmPayload["purpose"];

export interface Scope {
  sink: EventSink;
  hint: (hostId: string) => void;
}

/** A tiny FIFO async mutex: controller steps, acks and service calls never interleave. */
export class Mutex {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.last.then(fn, fn);
    this.last = next.catch(() => undefined);
    return next;
  }
}

export const ACTIVE_POWER = ["running", "starting", "stopping", "migrating"];

/** Ids per `in: [...]` statement: SQLite binds at most 999 parameters per statement. */
export const IN_CHUNK = 400;

/** Splits `ids` into slices of at most IN_CHUNK (one statement each). */
export function chunked<T>(ids: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}

export class HaContext {
  readonly db: PrismaClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly alerts = new AlertBook();
  timing: Timing = { heartbeatMs: 1000, missed: 3, failureTimeoutMs: 30_000, isolationTimeoutMs: 20_000, vmStartMs: 5000 };
  clusterId = "";
  haMode = "default";
  faultTolerance = 1;
  /** Cluster defaults of the restart policy and of the maintenance rebuild delay. */
  policy: { maxRestarts: number; maxRelocations: number | null; maintenanceRebuildAfterMs: number | null } = {
    maxRestarts: 1,
    maxRelocations: null,
    maintenanceRebuildAfterMs: null,
  };

  readonly lock = new Mutex();
  /** The host map: liveness, the latest report, the failover hand-off (HostMem.failoverDue). */
  hosts = new Map<string, HostMem>();
  loaded = false;
  startedAt = 0;
  lastResync = 0;
  lastHbFlush = 0;
  /** Wake-ups: pending VMs are retried (capacity changed), the evaluation runs (something changed). */
  capacityChanged = true;
  evalNeeded = true;
  private failoverSeq = 0;
  commandHints = new Set<string>();
  lastCommandPoll = new Map<string, number>();
  vmIncident = new Map<string, string>();
  /** Stops already asked for a copy: `${hostId}|${vmId}|${generation}` → when. */
  stopsSent = new Map<string, number>();
  /** VMs with at least one disk session on a remote controller (for fail-back events). */
  redirectedVms = new Set<string>();
  incidents = new Map<string, { id: string; seq: number; kind: string; hostId: string | null; openedAt: Date }>();
  /** Per open incident: VMs still on their way (memory only; the store decides on close). */
  inflight = new Map<string, Set<string>>();
  /** Bumped on every committed transaction (the runner checks store invariants when it moves). */
  changes = 0;
  /** The detector's own observations: the last one (a step or a heartbeat), its stalls, its grace (liveness.ts). */
  lastObserved = 0;
  stalls: { from: number; to: number }[] = [];
  graceUntil = 0;
  lag: DetectorLag = { lastMs: 0, maxMs: 0, stalls: 0, unobservedMs: 0, lastStall: null };
  /**
   * Failed devices (scenario device-fail, or an operator): never allocated until healthy again.
   * The store has no device health column, so they live here, keyed by device key
   * ("gpu:<gpuId>" / "nic:<nicId>"), and are left out of every snapshot this controller takes.
   */
  failedDevices = new Map<string, { hostId: string; kind: "gpu" | "nic"; id: string; name: string }>();
  /** Restart policy per VM since its last failure (memory; reset when it runs, on retry). */
  restartState = new Map<string, { hostId: string | null; restarts: number; relocations: number }>();
  /** Pending VMs are retried on every capacity change and with a backoff (5 s doubling to 60 s). */
  pendingBackoffMs = PENDING_BACKOFF_MIN_MS;
  nextPendingRetry = 0;
  lastMaintenanceCheck = 0;
  /** Heartbeat rate limiter: one token bucket per host (this instance's, never module state). */
  hbBuckets = new Map<string, { tokens: number; at: number; warnedAt: number }>();

  /** Pacing on the wall clock (HaDeps.pacing): null in the scenario runner and tests. */
  readonly pacer: Pacer | null;
  readonly evalCadence: Cadence | null;
  /** The event loop's recent delay (wall clock, pacing only): widens every host's silence window. */
  readonly loopLag: LoopLag | null;

  constructor(readonly deps: HaDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.log = deps.log ?? createStderrLogger();
    this.pacer = deps.pacing ? new Pacer() : null;
    this.loopLag = deps.pacing ? new LoopLag().start() : null;
    this.evalCadence = deps.pacing ? new Cadence() : null;
  }

  at(): Date {
    return new Date(this.clock.now());
  }

  /** A turn for the event loop between transactions (pacing only). */
  async breathe(): Promise<void> {
    if (this.pacer) await this.pacer.breathe();
  }

  /** Runs `fn` in one transaction; events reach listeners and command hints apply after commit. */
  async tx<T>(fn: (tx: Tx, s: Scope) => Promise<T>): Promise<T> {
    await this.breathe();
    const sink = new EventSink();
    const hints = new Set<string>();
    const r = await this.db.$transaction((tx) => fn(tx, { sink, hint: (h) => hints.add(h) }), { timeout: 60_000, maxWait: 60_000 });
    for (const h of hints) this.commandHints.add(h);
    this.changes++;
    for (const e of sink.written) {
      if (e.vmId && e.incidentId) this.vmIncident.set(e.vmId, e.incidentId);
      try {
        this.deps.onEvent?.(e);
      } catch (err) {
        this.log.error({ err }, "event listener failed");
      }
    }
    return r;
  }

  hostName(id: string | null | undefined): string | null {
    return id ? (this.hosts.get(id)?.name ?? null) : null;
  }

  /** Hosts whose VMs were taken away by network-fault HA: not offered to placements. */
  unavailableHostIds(): string[] {
    return [...this.hosts.values()].filter((h) => h.netFault?.triggered).map((h) => h.id);
  }

  async snapshot(): Promise<ClusterSnapshot> {
    const gpus: string[] = [];
    const nics: string[] = [];
    for (const d of this.failedDevices.values()) (d.kind === "gpu" ? gpus : nics).push(d.id);
    const pacer = this.pacer;
    return loadSnapshot(this.db, { unavailableHostIds: this.unavailableHostIds(), clusterId: this.clusterId || undefined, failedGpuIds: gpus, failedNicIds: nics, pace: pacer ? () => pacer.pause() : undefined });
  }

  /** Something changed outside the controller (inventory edits): re-read and re-evaluate soon. */
  notifyChanged(what: { capacity?: boolean; inventory?: boolean } = { capacity: true, inventory: true }): void {
    if (what.capacity) this.capacityChanged = true;
    if (what.inventory) {
      this.evalNeeded = true;
      this.lastResync = 0;
    }
  }

  // ------------------------------------------------------------------ the failover hand-off

  /** Detection → failover: the host's VMs are to be failed over (kept until runFailover plans them). */
  setFailoverDue(hostId: string): void {
    const h = this.hosts.get(hostId);
    if (h && h.failoverDue === null) h.failoverDue = ++this.failoverSeq;
  }

  clearFailoverDue(hostId: string): void {
    const h = this.hosts.get(hostId);
    if (h) h.failoverDue = null;
  }

  /** Hosts whose failover is due, in the order they became due. */
  failoverDueHostIds(): string[] {
    return [...this.hosts.values()]
      .filter((h) => h.failoverDue !== null)
      .sort((a, b) => a.failoverDue! - b.failoverDue!)
      .map((h) => h.id);
  }

  // ------------------------------------------------------------------ the host map

  async reloadHosts(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.db.host.findMany({ where: this.clusterId ? { clusterId: this.clusterId } : {}, include: { nics: true } });
    const seen = new Set<string>();
    for (const r of rows) {
      seen.add(r.id);
      const nics = r.nics.map((n) => ({ id: n.id, name: n.name, role: n.role, bond: n.bond, linkUp: n.linkUp }));
      const cur = this.hosts.get(r.id);
      if (cur) {
        cur.name = r.name;
        cur.state = r.state as HostState;
        cur.since = r.stateSince.getTime();
        cur.nics = nics;
        cur.storageHealthy = r.storageControllerHealthy;
        continue;
      }
      this.hosts.set(r.id, {
        id: r.id,
        name: r.name,
        state: r.state as HostState,
        since: r.stateSince.getTime(),
        lastHb: Math.max(now, r.lastHeartbeatAt?.getTime() ?? 0),
        heard: 0,
        lastHbPersisted: r.lastHeartbeatAt?.getTime() ?? 0,
        report: null,
        reportSig: "",
        reportDirty: false,
        nics,
        storageHealthy: r.storageControllerHealthy,
        incidentId: null,
        netFault: null,
        failoverDue: null,
        hbSeq: null,
        hbRun: 0,
        seen: null,
        fetches: [],
        recheckStarts: false,
        unknownVms: null,
      });
    }
    for (const id of [...this.hosts.keys()]) {
      if (seen.has(id)) continue;
      this.hosts.delete(id);
      this.hbBuckets.delete(id);
    }
  }

  /**
   * Runs one host's step work; when it fails because the host's row is gone (deleted in the
   * console since the last resync), forgets the host and its liveness instead of failing the step.
   */
  async forHost(h: HostMem, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (this.hosts.get(h.id) !== h) throw err;
      if ((await this.db.host.count({ where: { id: h.id } })) > 0) throw err;
      this.dropHost(h.id);
      this.log.info({ hostId: h.id, host: h.name }, "host no longer in the store: forgotten");
    }
  }

  /** Forgets a host that is no longer in the store (and re-reads the inventory next step). */
  dropHost(id: string): void {
    this.hosts.delete(id);
    this.hbBuckets.delete(id);
    this.lastResync = 0;
    this.evalNeeded = true;
  }
}
