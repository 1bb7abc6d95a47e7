import "server-only";
// The HA controller: failure detector → planner (the engine) → executor (store + agent commands).
//
// - Liveness (last heartbeat per host) lives in memory; host state changes are persisted, and
//   lastHeartbeatAt is written every HEARTBEAT_PERSIST_MS, never once per heartbeat.
// - Every decision is written in one transaction BEFORE it is acted on (the agent command is a
//   row of that transaction). A new controller on the same store resumes from the rows: host
//   states and since, VMs still on failed hosts, pending VMs, commands, open incidents. Its
//   in-memory liveness starts fresh: every host gets one missed-heartbeat window of grace.
// - No placement rule lives here: placements, failover plans, local restarts, evacuations,
//   eligibility, guarantee assessment and storage paths all come from lib/engine.
import type { Prisma, PrismaClient } from "@prisma/client";
import {
  assessGuarantee,
  buildCapacity,
  failoverOrder,
  haEligibility,
  planFailover,
  planLocalRestart,
  planStorageSessions,
  placeVm,
  allocateAddress,
  type ClusterSnapshot,
  type DeviceAllocation,
  type HostState,
  type Placed,
  type SnapshotVm,
} from "@/lib/engine";
import type { TAgentCommand, TCommandAck, THeartbeat, TStartVmPayload, TStopReason } from "@/lib/schemas/agent";
import { loadSnapshot } from "@/lib/server/snapshot";
import { HttpError } from "@/lib/server/http/problem";
import { AppError } from "@/lib/server/errors";
import { AlertBook, type AlertKind } from "./alerts";
import { EventSink, openIncident, type EventInput, type IncidentKind, type RecordedEvent } from "./journal";
import type { Clock } from "./clock";
import { Cadence, LoopLag, Pacer } from "./pacing";
import { summarizeRebuildReasons } from "./alerts-text";
import { createStderrLogger, type Logger } from "./log";

type Tx = Prisma.TransactionClient;
type CommandRow = { id: string; hostId: string; vmId: string | null; kind: string; payload: string; generation: number; status: string };

export const HEARTBEAT_PERSIST_MS = 10_000;
const RESYNC_MS = 15_000;
/** Agents re-read the command queue this often even without a hint (commands written elsewhere). */
const COMMAND_POLL_FALLBACK_MS = 30_000;
/** Unknown VMs reported by a host: at most this many ids in its one event per episode. */
export const UNKNOWN_VMS_LISTED = 20;
/** A new unknown-VM episode of a host is recorded at most this often (a flapping report stays one). */
export const UNKNOWN_VMS_EVENT_MIN_MS = 60_000;
/** Per host: heartbeats in a burst, and heartbeats per heartbeat interval it may keep sending. */
export const HEARTBEAT_LIMIT = { burst: 10, perInterval: 4 } as const;
/** Pending VMs: retried after this long without a capacity change, doubling up to the max. */
export const PENDING_BACKOFF_MIN_MS = 5_000;
export const PENDING_BACKOFF_MAX_MS = 60_000;

/** A heartbeat refused because its host sends them far more often than its interval (429). */
export class RateLimitedError extends HttpError {
  readonly code = "RATE_LIMITED";
  constructor(message: string) {
    super(429, message);
    this.name = "RateLimitedError";
  }
}

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

interface AgentReport {
  vms: Map<string, { generation: number; state: "running" | "starting" }>;
  nics: Map<string, boolean>;
  storageHealthy?: boolean;
}

interface HostMem {
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

interface Scope {
  sink: EventSink;
  hint: (hostId: string) => void;
}

/** A tiny FIFO async mutex: controller steps, acks and service calls never interleave. */
class Mutex {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.last.then(fn, fn);
    this.last = next.catch(() => undefined);
    return next;
  }
}

const ACTIVE_POWER = ["running", "starting", "stopping", "migrating"];

/** Ids per `in: [...]` statement: SQLite binds at most 999 parameters per statement. */
export const IN_CHUNK = 400;

/** Splits `ids` into slices of at most IN_CHUNK (one statement each). */
export function chunked<T>(ids: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}

export class HaController {
  readonly db: PrismaClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly alerts = new AlertBook();
  timing: Timing = { heartbeatMs: 1000, missed: 3, failureTimeoutMs: 30_000, isolationTimeoutMs: 20_000, vmStartMs: 5000 };
  clusterId = "";
  haMode = "default";
  faultTolerance = 1;

  private readonly lock = new Mutex();
  private hosts = new Map<string, HostMem>();
  private loaded = false;
  private startedAt = 0;
  private lastResync = 0;
  private lastHbFlush = 0;
  private capacityChanged = true;
  private evalNeeded = true;
  private failoverNeeded = new Set<string>();
  private commandHints = new Set<string>();
  private lastCommandPoll = new Map<string, number>();
  private vmIncident = new Map<string, string>();
  /** Stops already asked for a copy: `${hostId}|${vmId}|${generation}` → when. */
  private stopsSent = new Map<string, number>();
  /** VMs with at least one disk session on a remote controller (for fail-back events). */
  private redirectedVms = new Set<string>();
  private incidents = new Map<string, { id: string; seq: number; kind: string; hostId: string | null; openedAt: Date }>();
  /** Per open incident: VMs still on their way (memory only; the store decides on close). */
  private inflight = new Map<string, Set<string>>();
  /** Bumped on every committed transaction (the runner checks store invariants when it moves). */
  changes = 0;
  /** The detector's own observations: the last one (a step or a heartbeat), its stalls, its grace. */
  private lastObserved = 0;
  private stalls: { from: number; to: number }[] = [];
  private graceUntil = 0;
  private lag: DetectorLag = { lastMs: 0, maxMs: 0, stalls: 0, unobservedMs: 0, lastStall: null };
  /**
   * Failed devices (scenario device-fail, or an operator): never allocated until healthy again.
   * The store has no device health column, so they live here, keyed by device key
   * ("gpu:<gpuId>" / "nic:<nicId>"), and are left out of every snapshot this controller takes.
   */
  private failedDevices = new Map<string, { hostId: string; kind: "gpu" | "nic"; id: string; name: string }>();
  /** Restart policy per VM since its last failure (memory; reset when it runs, on retry). */
  private restartState = new Map<string, { hostId: string | null; restarts: number; relocations: number }>();
  /** Cluster defaults of the restart policy and of the maintenance rebuild delay. */
  private policy: { maxRestarts: number; maxRelocations: number | null; maintenanceRebuildAfterMs: number | null } = {
    maxRestarts: 1,
    maxRelocations: null,
    maintenanceRebuildAfterMs: null,
  };
  /** Pending VMs are retried on every capacity change and with a backoff (5 s doubling to 60 s). */
  private pendingBackoffMs = PENDING_BACKOFF_MIN_MS;
  private nextPendingRetry = 0;
  private lastMaintenanceCheck = 0;
  /** Heartbeat rate limiter: one token bucket per host (this instance's, never module state). */
  private hbBuckets = new Map<string, { tokens: number; at: number; warnedAt: number }>();

  /** Pacing on the wall clock (HaDeps.pacing): null in the scenario runner and tests. */
  private readonly pacer: Pacer | null;
  private readonly evalCadence: Cadence | null;
  /** The event loop's recent delay (wall clock, pacing only): widens every host's silence window. */
  private readonly loopLag: LoopLag | null;

  constructor(private readonly deps: HaDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.log = deps.log ?? createStderrLogger();
    this.pacer = deps.pacing ? new Pacer() : null;
    this.loopLag = deps.pacing ? new LoopLag().start() : null;
    this.evalCadence = deps.pacing ? new Cadence() : null;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Loads the store's state (idempotent). Liveness starts now: a grace of one missed window. */
  async start(): Promise<void> {
    await this.lock.run(() => this.load());
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    const now = this.clock.now();
    const cluster = await this.db.cluster.findFirst({ orderBy: { createdAt: "asc" } });
    if (cluster) {
      this.clusterId = cluster.id;
      this.haMode = cluster.haMode;
      this.faultTolerance = cluster.faultTolerance;
      this.policy = {
        maxRestarts: cluster.restartMaxRestarts,
        maxRelocations: cluster.restartMaxRelocations,
        maintenanceRebuildAfterMs: cluster.maintenanceRebuildAfterS !== null ? cluster.maintenanceRebuildAfterS * 1000 : null,
      };
      this.timing = {
        heartbeatMs: cluster.heartbeatS * 1000,
        missed: cluster.missedHeartbeats,
        failureTimeoutMs: cluster.failureTimeoutS * 1000,
        isolationTimeoutMs: cluster.isolationTimeoutS * 1000,
        vmStartMs: cluster.vmStartS * 1000,
      };
    }
    this.startedAt = now;
    this.lastObserved = now;
    await this.reloadHosts();
    const incidents = await this.db.incident.findMany({ where: { status: "open" }, orderBy: { seq: "asc" } });
    for (const inc of incidents) {
      const h = inc.hostId ? this.hosts.get(inc.hostId) : undefined;
      if (!h) continue;
      if (inc.kind === "host-failure" || inc.kind === "isolation") h.incidentId = inc.id;
      if (inc.kind === "network-fault")
        h.netFault = { since: (inc.detectedAt ?? inc.openedAt).getTime(), incidentId: inc.id, triggered: inc.failedAt !== null };
    }
    for (const h of this.hosts.values()) {
      if (h.state === "failed" || h.netFault?.triggered) this.failoverNeeded.add(h.id);
    }
    // At-least-once delivery across a restart: a start or stop marked sent whose reply may have
    // been lost with the previous process goes out again (agents ignore a start they already run
    // at that generation and answer a stop of a stopped VM with done; acking twice changes nothing).
    await this.db.agentCommand.updateMany({ where: { status: "sent", kind: { in: ["start-vm", "stop-vm"] } }, data: { status: "pending" } });
    const pending = await this.db.agentCommand.findMany({ where: { status: "pending" }, select: { hostId: true }, distinct: ["hostId"] });
    for (const c of pending) this.commandHints.add(c.hostId);
    await this.alerts.reload(this.db);
    const sessions = await this.db.storageSession.findMany({ select: { vmId: true, controllerHostId: true, vm: { select: { hostId: true } } } });
    for (const x of sessions) if (x.vm.hostId && x.controllerHostId !== x.vm.hostId) this.redirectedVms.add(x.vmId);
    this.lastResync = now;
    this.capacityChanged = true;
    this.evalNeeded = true;
    this.loaded = true;
    await this.resumeAcknowledged();
  }

  /**
   * Acks recorded in the store whose effect a previous controller did not apply before it stopped
   * (the ack row is written first): finish them now, so nothing an agent acknowledged is lost.
   */
  private async resumeAcknowledged(): Promise<void> {
    const vms = await this.db.vm.findMany({ where: { power: { in: ["stopping", "migrating", "starting"] } }, select: { id: true, power: true, hostId: true, generation: true } });
    for (const vm of vms) {
      const kind = vm.power === "stopping" ? "stop-vm" : vm.power === "migrating" ? "migrate-vm" : "start-vm";
      const cmd = await this.db.agentCommand.findFirst({ where: { vmId: vm.id, kind }, orderBy: { createdAt: "desc" } });
      if (!cmd || (cmd.status !== "done" && cmd.status !== "failed") || cmd.generation !== vm.generation) continue;
      if (kind === "start-vm" && cmd.hostId !== vm.hostId) continue;
      const st = this.hosts.get(cmd.hostId)?.state;
      if (st !== "online" && st !== "maintenance") continue; // the failover of that host takes over
      this.log.info({ vmId: vm.id, commandId: cmd.id, kind }, "applying an acknowledgement recorded before the restart");
      await this.applyAck(cmd.id, { hostId: cmd.hostId, commandId: cmd.id, status: cmd.status as "done" | "failed", error: cmd.result ?? undefined });
    }
    const blocked = await this.db.agentCommand.findMany({ where: { status: "blocked" } });
    for (const c of blocked) {
      const p = JSON.parse(c.payload) as TStartVmPayload;
      const stop = p.after ? await this.db.agentCommand.findUnique({ where: { id: p.after }, select: { status: true } }) : null;
      if (!stop || stop.status === "done" || stop.status === "failed") {
        await this.db.agentCommand.update({ where: { id: c.id }, data: { status: "pending" } });
        this.commandHints.add(c.hostId);
      }
    }
  }

  private async reloadHosts(): Promise<void> {
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
      this.failoverNeeded.delete(id);
    }
  }

  /**
   * Runs one host's step work; when it fails because the host's row is gone (deleted in the
   * console since the last resync), forgets the host and its liveness instead of failing the step.
   */
  private async forHost(h: HostMem, fn: () => Promise<void>): Promise<void> {
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
  private dropHost(id: string): void {
    this.hosts.delete(id);
    this.hbBuckets.delete(id);
    this.failoverNeeded.delete(id);
    this.lastResync = 0;
    this.evalNeeded = true;
  }

  /** Something changed outside the controller (inventory edits): re-read and re-evaluate soon. */
  notifyChanged(what: { capacity?: boolean; inventory?: boolean } = { capacity: true, inventory: true }): void {
    if (what.capacity) this.capacityChanged = true;
    if (what.inventory) {
      this.evalNeeded = true;
      this.lastResync = 0;
    }
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

  /** Failed devices (controller memory): host, GPU or NIC, its name. */
  failedDeviceList(): { hostId: string; kind: "gpu" | "nic"; id: string; name: string }[] {
    return [...this.failedDevices.values()];
  }

  private at(): Date {
    return new Date(this.clock.now());
  }

  /** Runs `fn` in one transaction; events reach listeners and command hints apply after commit. */
  private async breathe(): Promise<void> {
    if (this.pacer) await this.pacer.breathe();
  }

  private async tx<T>(fn: (tx: Tx, s: Scope) => Promise<T>): Promise<T> {
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

  /** Run a service operation under the controller's lock (power on/off, maintenance). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      await this.load();
      return fn();
    });
  }

  // ------------------------------------------------------------------ agent-facing (no store writes)

  /**
   * A heartbeat: liveness and the agent's report, in memory. Returns whether commands wait.
   * Throws a RateLimitedError (429) when the host heartbeats far more often than its interval.
   */
  noteHeartbeat(hb: THeartbeat): { known: boolean; commandsPending: boolean } {
    const now = this.clock.now();
    this.observe(now, "heartbeat");
    const h = this.hosts.get(hb.hostId);
    if (!h) {
      this.lastResync = 0;
      return { known: false, commandsPending: false };
    }
    this.takeHeartbeatToken(h, now);
    h.lastHb = now;
    h.heard = now;
    // A lower seq than the last one: the agent restarted (a new run forgets what it was doing).
    if (h.hbSeq !== null && hb.seq < h.hbSeq) {
      h.hbRun++;
      h.recheckStarts = true;
    }
    h.hbSeq = hb.seq;
    h.seen = hb.commandsSeen ? new Set(hb.commandsSeen) : null;
    const vms = [...hb.vms].sort((a, b) => (a.vmId < b.vmId ? -1 : a.vmId > b.vmId ? 1 : 0));
    const nics = [...(hb.nics ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
    const sig = JSON.stringify([vms.map((v) => [v.vmId, v.generation, v.state]), nics.map((n) => [n.name, n.linkUp]), hb.storageController?.healthy]);
    if (sig !== h.reportSig || !h.report) {
      h.reportSig = sig;
      h.report = {
        vms: new Map(vms.map((v) => [v.vmId, { generation: v.generation, state: v.state }])),
        nics: new Map(nics.map((n) => [n.name, n.linkUp])),
        storageHealthy: hb.storageController?.healthy,
      };
      h.reportDirty = true;
    } else if (h.recheckStarts) h.reportDirty = true; // same report, but maybe taken after a fetch now
    return { known: true, commandsPending: this.commandHints.has(h.id) };
  }

  /** Per-host token bucket: `burst` heartbeats at once, `perInterval` per heartbeat interval after that. */
  private takeHeartbeatToken(h: HostMem, now: number): void {
    const lim = this.deps.heartbeatLimit ?? (process.env.HAVEN_HEARTBEAT_RATE_LIMIT === "off" ? false : HEARTBEAT_LIMIT);
    if (!lim) return;
    const b = this.hbBuckets.get(h.id) ?? { tokens: lim.burst, at: now, warnedAt: -Infinity };
    b.tokens = Math.min(lim.burst, b.tokens + (Math.max(0, now - b.at) * lim.perInterval) / Math.max(1, this.timing.heartbeatMs));
    b.at = now;
    this.hbBuckets.set(h.id, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    if (now - b.warnedAt >= 60_000) {
      b.warnedAt = now;
      this.log.warn({ hostId: h.id, host: h.name, heartbeatS: this.timing.heartbeatMs / 1000, perInterval: lim.perInterval }, "heartbeats refused: the host sends them far more often than its interval");
    }
    throw new RateLimitedError(
      `${h.name} sends heartbeats far more often than every ${this.timing.heartbeatMs / 1000}s (at most ${lim.perInterval} per interval after a burst of ${lim.burst}); slow down`,
    );
  }

  /** Whether fetching commands for a host should hit the store now. */
  shouldFetchCommands(hostId: string): boolean {
    if (this.commandHints.has(hostId)) return true;
    const last = this.lastCommandPoll.get(hostId) ?? 0;
    return this.clock.now() - last >= (this.deps.commandPollFallbackMs ?? COMMAND_POLL_FALLBACK_MS);
  }

  /**
   * The agent is fetching its commands (called before they are read and marked sent): remember
   * which of its heartbeats the console had then, so that only a later report can fail a start.
   */
  noteCommandsFetched(hostId: string): void {
    const now = this.clock.now();
    this.commandHints.delete(hostId);
    this.lastCommandPoll.set(hostId, now);
    const h = this.hosts.get(hostId);
    if (!h) return;
    h.fetches.push({ at: now, run: h.hbRun, seq: h.hbSeq });
    h.recheckStarts = true; // its next reports are checked even if they look the same
    const keep = now - this.timing.vmStartMs - 120_000;
    while (h.fetches.length > 64 || (h.fetches.length > 1 && h.fetches[0].at < keep)) h.fetches.shift();
  }

  // ------------------------------------------------------------------ the detector's own lag

  /**
   * The detector observes (a step starts, a heartbeat is processed). A gap longer than one
   * heartbeat interval since the last observation is a stall of the detector itself (its event
   * loop or its step was blocked): that time is never counted against a host, and no host is
   * declared unreachable or failed until one heartbeat interval after it (the backlog of
   * heartbeats sent meanwhile is read first).
   */
  private observe(now: number, via: "step" | "heartbeat"): void {
    const gap = Math.max(0, now - this.lastObserved);
    if (via === "step") this.lag.lastMs = gap;
    if (gap > this.lag.maxMs) this.lag.maxMs = gap;
    if (this.loaded && gap > this.timing.heartbeatMs) {
      const from = this.lastObserved;
      this.stalls.push({ from, to: now });
      const horizon = now - Math.max(600_000, 4 * (this.timing.missed * this.timing.heartbeatMs + this.timing.failureTimeoutMs));
      while (this.stalls.length > 1000 || (this.stalls.length && this.stalls[0].to < horizon)) this.stalls.shift();
      this.graceUntil = Math.max(this.graceUntil, now + this.timing.heartbeatMs);
      this.lag.stalls++;
      this.lag.unobservedMs += gap;
      this.lag.lastStall = { at: now, ms: gap };
      this.log.warn(
        { stallMs: gap, from: new Date(from).toISOString(), via, graceUntil: new Date(this.graceUntil).toISOString(), hosts: this.hosts.size },
        `the HA failure detector observed nothing for ${gap} ms (its process or step stalled): that time is not counted against any host`,
      );
    }
    if (now > this.lastObserved) this.lastObserved = now;
  }

  /** Of the time from `from` to `to`, what the detector observed (its stalls taken out). */
  private observedBetween(from: number, to: number): number {
    let blind = 0;
    for (const st of this.stalls) {
      const a = Math.max(from, st.from);
      const b = Math.min(to, st.to);
      if (b > a) blind += b - a;
    }
    return Math.max(0, to - from - blind);
  }

  /** The detector's measured lag (ms): the last and longest gaps between observations, its stalls. */
  detectorLag(): DetectorLag {
    return { ...this.lag, lastStall: this.lag.lastStall ? { ...this.lag.lastStall } : null };
  }

  /** A command row was written by someone else (a service outside the controller). */
  notifyCommand(hostId: string): void {
    this.commandHints.add(hostId);
  }

  // ------------------------------------------------------------------ the loop

  /** One controller step. Safe to call often: it costs no store access when nothing changed. */
  async step(): Promise<void> {
    await this.lock.run(async () => {
      await this.load();
      await this.stepInner();
    });
  }

  private async stepInner(): Promise<void> {
    const now = this.clock.now();
    this.observe(now, "step");
    if (now - this.lastResync >= (this.deps.resyncMs ?? RESYNC_MS)) {
      this.lastResync = now;
      await this.reloadHosts();
      await this.alerts.reload(this.db);
      this.evalNeeded = true;
      if ((await this.db.vm.count({ where: { power: "pending" } })) > 0) this.capacityChanged = true;
      for (const inc of await this.db.incident.findMany({ where: { status: "open" }, select: { id: true } })) await this.maybeCloseIncident(inc.id, true);
      // Starts taken by an agent that never answered (nor reports the VM) within boot time + a minute.
      const stale = await this.db.agentCommand.findMany({
        where: { kind: "start-vm", status: "sent", sentAt: { lt: new Date(now - this.timing.vmStartMs - 60_000) } },
        select: { vmId: true, hostId: true, generation: true },
      });
      for (const c of stale) {
        const h = this.hosts.get(c.hostId);
        const vm = c.vmId ? await this.db.vm.findUnique({ where: { id: c.vmId }, select: { power: true, hostId: true, generation: true } }) : null;
        if (!h || h.state !== "online" || !vm || vm.power !== "starting" || vm.hostId !== c.hostId || vm.generation !== c.generation) continue;
        if (h.report?.vms.has(c.vmId!)) continue;
        await this.checkLostStart(c.vmId!, c.hostId, c.generation, "the agent never confirmed the start", true);
      }
    }
    // Silences and countdowns count only time the detector observed (its own stalls are taken
    // out), and nothing is declared within one heartbeat interval after a stall.
    // A heartbeat processed late because this process was busy is not the host's silence: the
    // window grows by the event loop's largest recent delay (0 on a virtual clock).
    const window = this.timing.missed * this.timing.heartbeatMs + (this.loopLag?.recentMaxMs() ?? 0);
    const graceOver = now >= this.graceUntil;
    for (const h of [...this.hosts.values()]) {
      await this.forHost(h, async () => {
        if (h.state === "online" && graceOver && this.observedBetween(h.lastHb, now) >= window && now - this.startedAt >= window) await this.markUnreachable(h);
        else if (h.state === "unreachable") {
          if (h.heard > h.since) await this.markBack(h);
          else if (graceOver && this.observedBetween(h.since, now) >= this.timing.failureTimeoutMs) await this.markFailed(h);
        } else if (h.state === "failed" && h.heard > h.since) await this.markBack(h);
      });
    }
    for (const h of [...this.hosts.values()]) {
      if (h.reportDirty && (h.state === "online" || h.state === "maintenance")) {
        h.reportDirty = false;
        await this.forHost(h, () => this.reconcileReport(h));
      }
    }
    for (const h of [...this.hosts.values()]) {
      if (h.netFault && !h.netFault.triggered && graceOver && this.observedBetween(h.netFault.since, now) >= this.timing.failureTimeoutMs)
        await this.forHost(h, () => this.triggerNetworkFault(h));
    }
    if (this.failoverNeeded.size > 0) await this.runFailover();
    if (this.capacityChanged) {
      this.capacityChanged = false;
      this.pendingBackoffMs = PENDING_BACKOFF_MIN_MS;
      this.nextPendingRetry = now + this.pendingBackoffMs;
      await this.retryPending();
    } else if (now >= this.nextPendingRetry) {
      // No capacity change seen: pending VMs are tried again with a backoff (a start failure
      // elsewhere, a stop acknowledged late), not only on the resync.
      this.nextPendingRetry = now + this.pendingBackoffMs;
      this.pendingBackoffMs = Math.min(PENDING_BACKOFF_MAX_MS, this.pendingBackoffMs * 2);
      if ((await this.db.vm.count({ where: { power: "pending" } })) > 0) await this.retryPending();
      else this.pendingBackoffMs = PENDING_BACKOFF_MIN_MS;
    }
    if (this.policy.maintenanceRebuildAfterMs !== null && now - this.lastMaintenanceCheck >= 1000) {
      this.lastMaintenanceCheck = now;
      await this.rebuildAfterLongMaintenance(now);
    }
    if (this.evalNeeded && (!this.evalCadence || this.evalCadence.due())) {
      this.evalNeeded = false;
      if (this.evalCadence) await this.evalCadence.run(() => this.evaluate());
      else await this.evaluate();
    }
    await this.persistHeartbeats(false);
    await (await import("./failback")).runFailback(this); // failback (issue 10): guarded inside by the cluster's/groups' failback setting, paced
  }

  /**
   * Writes lastHeartbeatAt (to the second) for hosts heard from since the last write, every 10 s
   * (or now with `force`), grouped so one statement covers every host heard in the same second.
   */
  async persistHeartbeats(force: boolean): Promise<void> {
    const now = this.clock.now();
    if (!force && now - this.lastHbFlush < HEARTBEAT_PERSIST_MS) return;
    this.lastHbFlush = now;
    const groups = new Map<number, HostMem[]>();
    for (const h of this.hosts.values()) {
      const sec = Math.floor(h.heard / 1000) * 1000;
      if (h.heard === 0 || sec <= h.lastHbPersisted) continue;
      const g = groups.get(sec) ?? [];
      g.push(h);
      groups.set(sec, g);
    }
    for (const [sec, hs] of groups) {
      for (const part of chunked(hs)) {
        await this.db.host.updateMany({ where: { id: { in: part.map((h) => h.id) } }, data: { lastHeartbeatAt: new Date(sec) } });
        for (const h of part) h.lastHbPersisted = sec;
      }
    }
  }

  // ------------------------------------------------------------------ host state machine

  private async markUnreachable(h: HostMem): Promise<void> {
    const now = this.clock.now();
    const at = new Date(now);
    const lastHb = new Date(Math.min(h.lastHb, now));
    await this.tx(async (tx, s) => {
      await tx.host.update({ where: { id: h.id }, data: { state: "unreachable", stateSince: at, lastHeartbeatAt: lastHb } });
      const inc = await openIncident(tx, { clusterId: this.clusterId, kind: "host-failure", hostId: h.id, openedAt: lastHb, detectedAt: at });
      h.incidentId = inc.id;
      const silentS = (now - h.lastHb) / 1000;
      const unobservedS = (now - h.lastHb - this.observedBetween(h.lastHb, now)) / 1000;
      await s.sink.record(tx, {
        at,
        kind: "host-unreachable",
        hostId: h.id,
        incidentId: inc.id,
        message: `${h.name} missed ${this.timing.missed} heartbeats (silent for ${silentS}s${unobservedS > 0 ? `, of which ${unobservedS}s the console could not observe and did not count` : ""})`,
        data: { lastHeartbeatAt: lastHb.toISOString(), silentS, missedHeartbeats: this.timing.missed, heartbeatS: this.timing.heartbeatMs / 1000, ...(unobservedS > 0 ? { unobservedS } : {}) },
      });
      await s.sink.record(tx, {
        at,
        kind: "countdown-started",
        hostId: h.id,
        incidentId: inc.id,
        message: `${h.name} is declared failed in ${this.timing.failureTimeoutMs / 1000}s unless it comes back`,
        data: { failureTimeoutS: this.timing.failureTimeoutMs / 1000, failsAt: new Date(now + this.timing.failureTimeoutMs).toISOString() },
      });
      await this.alerts.raise(tx, {
        kind: "HOST_UNREACHABLE",
        entity: { type: "host", id: h.id, name: h.name },
        message: `Host ${h.name} is unreachable: no heartbeat for ${silentS}s`,
        at,
        incidentId: inc.id,
      });
      await this.markUnknownOn(tx, s, h, inc.id, at);
    });
    h.state = "unreachable";
    h.since = now;
    this.evalNeeded = true;
  }

  /**
   * VMs that opted out of the isolation response (keepRunningWhenIsolated) on a host that went
   * silent: the console cannot tell whether they still run, so they are `unknown` (never
   * `stopped`, never started elsewhere) until the host reports again or an admin confirms the
   * host is powered off. VM_STATE_UNKNOWN says why.
   */
  private async markUnknownOn(tx: Tx, s: Scope, h: HostMem, incidentId: string | null, at: Date): Promise<void> {
    const vms = await tx.vm.findMany({ where: { hostId: h.id, keepRunningWhenIsolated: true, power: { in: ["running", "starting"] } }, select: { id: true, name: true } });
    for (const vm of vms) {
      await tx.vm.update({ where: { id: vm.id }, data: { power: "unknown", powerSince: at } });
      await s.sink.record(tx, {
        at,
        kind: "vm-state-unknown",
        vmId: vm.id,
        hostId: h.id,
        incidentId,
        message: `${vm.name} keeps running when its host is isolated and ${h.name} is silent: its state is unknown; it is not started elsewhere until ${h.name} reports again or an admin confirms ${h.name} is powered off`,
      });
      await this.alerts.raise(tx, {
        kind: "VM_STATE_UNKNOWN",
        entity: { type: "vm", id: vm.id, name: vm.name },
        at,
        hostId: h.id,
        incidentId,
        message: `${vm.name} is in an unknown state: it opted out of the isolation response and its host ${h.name} is silent (a power loss and an isolation look alike). It is neither stopped nor rebuilt until ${h.name} reports again or an admin confirms ${h.name} is powered off.`,
      });
    }
  }

  private async markFailed(h: HostMem, note?: string): Promise<void> {
    const now = this.clock.now();
    const at = new Date(now);
    await this.tx(async (tx, s) => {
      await tx.host.update({ where: { id: h.id }, data: { state: "failed", stateSince: at } });
      if (!h.incidentId) {
        const inc = await openIncident(tx, { clusterId: this.clusterId, kind: "host-failure", hostId: h.id, openedAt: new Date(h.since), detectedAt: new Date(h.since) });
        h.incidentId = inc.id;
      }
      await tx.incident.update({ where: { id: h.incidentId }, data: { failedAt: at } });
      await s.sink.record(tx, {
        at,
        kind: "host-failed",
        hostId: h.id,
        incidentId: h.incidentId,
        message: note ?? `${h.name} did not come back within ${this.timing.failureTimeoutMs / 1000}s: failed; its HA VMs are rebuilt elsewhere`,
        data: { unreachableForS: (now - h.since) / 1000, sinceLastHeartbeatS: (now - h.lastHb) / 1000 },
      });
      await this.alerts.raise(tx, {
        kind: "HOST_FAILED",
        entity: { type: "host", id: h.id, name: h.name },
        message: `Host ${h.name} failed: unreachable for ${(now - h.since) / 1000}s`,
        at,
        incidentId: h.incidentId,
      });
      // Commands it never acknowledged are void; starts that waited on a stop there are released
      // (the host is down or has powered its VMs off by the isolation response).
      // Live migrations away from it will never finish: those VMs wait for a placement.
      const migrations = await tx.agentCommand.findMany({ where: { hostId: h.id, kind: "migrate-vm", status: { in: ["pending", "sent"] } } });
      for (const m of migrations) {
        const vm = m.vmId ? await tx.vm.findUnique({ where: { id: m.vmId } }) : null;
        if (!vm || vm.power !== "migrating" || vm.generation !== m.generation) continue;
        await tx.deviceAllocation.deleteMany({ where: { vmId: vm.id } });
        await tx.storageSession.deleteMany({ where: { vmId: vm.id } });
        await tx.vm.update({ where: { id: vm.id }, data: { power: "pending", hostId: null, powerSince: at } });
        await s.sink.record(tx, {
          at,
          kind: "vm-migration-lost",
          vmId: vm.id,
          hostId: h.id,
          incidentId: h.incidentId,
          message: `${vm.name} was live-migrating away from ${h.name} when it failed; it is restarted where it fits`,
        });
        this.capacityChanged = true;
      }
      await tx.agentCommand.updateMany({ where: { hostId: h.id, status: { in: ["pending", "sent"] } }, data: { status: "failed", result: "host failed" } });
      await this.releaseStartsBlockedOnHost(tx, s, h.id);
    });
    h.state = "failed";
    h.since = now;
    this.failoverNeeded.add(h.id);
    this.evalNeeded = true;
  }

  private async markBack(h: HostMem): Promise<void> {
    const now = this.clock.now();
    const at = new Date(now);
    const was = h.state;
    const inc = h.incidentId ? await this.db.incident.findUnique({ where: { id: h.incidentId } }) : null;
    await this.tx(async (tx, s) => {
      await tx.host.update({ where: { id: h.id }, data: { state: "online", stateSince: at, lastHeartbeatAt: new Date(h.lastHb) } });
      await s.sink.record(tx, {
        at,
        kind: "host-online",
        hostId: h.id,
        incidentId: inc && inc.status === "open" ? inc.id : null,
        message: `${h.name} is heartbeating again (was ${was} for ${(now - h.since) / 1000}s)`,
        data: { was, forS: (now - h.since) / 1000 },
      });
      await this.alerts.clear(tx, "HOST_UNREACHABLE", { type: "host", id: h.id }, at);
      await this.alerts.clear(tx, "HOST_FAILED", { type: "host", id: h.id }, at);
      // VMs of unknown state: the host's report decides (reconciled next: running → adopted,
      // missing → handled as a crash).
      const unknown = await tx.vm.findMany({ where: { hostId: h.id, power: "unknown" }, select: { id: true, name: true } });
      for (const vm of unknown) {
        await tx.vm.update({ where: { id: vm.id }, data: { power: "running", powerSince: at } });
        await this.alerts.clear(tx, "VM_STATE_UNKNOWN", { type: "vm", id: vm.id }, at);
        await s.sink.record(tx, { at, kind: "vm-state-known", vmId: vm.id, hostId: h.id, message: `${h.name} reports again: the state of ${vm.name} is taken from its report` });
      }
      if (inc && inc.status === "open" && !inc.failedAt) {
        await tx.incident.update({ where: { id: inc.id }, data: { status: "closed", closedAt: at, summary: `${h.name} came back before the countdown ended` } });
        await s.sink.record(tx, { at, kind: "incident-closed", hostId: h.id, incidentId: inc.id, message: `${h.name} came back before it was declared failed` });
        h.incidentId = null;
      }
    });
    h.state = "online";
    h.since = now;
    h.reportDirty = true;
    this.capacityChanged = true;
    this.evalNeeded = true;
  }

  private async releaseStartsBlockedOnHost(tx: Tx, s: Scope, hostId: string): Promise<void> {
    const blocked = await tx.agentCommand.findMany({ where: { status: "blocked" } });
    for (const c of blocked) {
      const p = JSON.parse(c.payload) as TStartVmPayload;
      if (!p.after) continue;
      const stop = await tx.agentCommand.findUnique({ where: { id: p.after }, select: { hostId: true } });
      if (!stop || stop.hostId === hostId) {
        await tx.agentCommand.update({ where: { id: c.id }, data: { status: "pending" } });
        s.hint(c.hostId);
      }
    }
  }

  // ------------------------------------------------------------------ agent reports

  private async reconcileReport(h: HostMem): Promise<void> {
    const rep = h.report;
    if (!rep) return;
    const at = this.at();
    // NIC links.
    const changedNics = h.nics.filter((n) => rep.nics.has(n.name) && rep.nics.get(n.name) !== n.linkUp);
    if (changedNics.length) {
      await this.tx(async (tx, s) => {
        for (const n of changedNics) {
          const up = rep.nics.get(n.name)!;
          await tx.nic.update({ where: { id: n.id }, data: { linkUp: up } });
          await s.sink.record(tx, {
            at,
            kind: up ? "nic-up" : "nic-down",
            hostId: h.id,
            message: `${h.name}/${n.name} link ${up ? "up" : "down"}`,
            data: { nic: n.name, role: n.role, bond: n.bond },
          });
          n.linkUp = up;
        }
      });
      await this.evaluateBonds(h);
      this.capacityChanged = true;
      this.evalNeeded = true;
    }
    // Storage controller.
    if (rep.storageHealthy !== undefined && rep.storageHealthy !== h.storageHealthy) {
      const healthy = rep.storageHealthy;
      await this.tx(async (tx, s) => {
        await tx.host.update({ where: { id: h.id }, data: { storageControllerHealthy: healthy } });
        await s.sink.record(tx, {
          at,
          kind: healthy ? "storage-controller-up" : "storage-controller-down",
          hostId: h.id,
          message: `The storage controller on ${h.name} is ${healthy ? "back" : "down"}`,
        });
      });
      h.storageHealthy = healthy;
      this.evalNeeded = true;
    }
    await this.reconcileVms(h);
  }

  private async evaluateBonds(h: HostMem): Promise<void> {
    const at = this.at();
    const bonds = new Map<string, { total: number; down: string[] }>();
    for (const n of h.nics) {
      if (n.role !== "storage") continue;
      const b = n.bond ?? n.name;
      const e = bonds.get(b) ?? { total: 0, down: [] };
      e.total++;
      if (!n.linkUp) e.down.push(n.name);
      bonds.set(b, e);
    }
    const degraded = [...bonds.entries()].filter(([, e]) => e.down.length > 0);
    const dead = [...bonds.entries()].filter(([, e]) => e.down.length === e.total && e.total > 0);
    const entity = { type: "host" as const, id: h.id, name: h.name };
    await this.tx(async (tx, s) => {
      if (degraded.length) {
        await this.alerts.raise(tx, {
          kind: "NIC_BOND_DEGRADED",
          entity,
          at,
          message: degraded.map(([b, e]) => `bond ${b} on ${h.name}: ${e.down.join(", ")} down (${e.total - e.down.length}/${e.total} up)`).join("; "),
        });
      } else await this.alerts.clear(tx, "NIC_BOND_DEGRADED", entity, at);
      if (dead.length && !h.netFault) {
        const inc = await openIncident(tx, { clusterId: this.clusterId, kind: "network-fault", hostId: h.id, openedAt: at, detectedAt: at });
        h.netFault = { since: at.getTime(), incidentId: inc.id, triggered: false };
        await s.sink.record(tx, {
          at,
          kind: "storage-network-down",
          hostId: h.id,
          incidentId: inc.id,
          message: `Every NIC of storage bond ${dead.map(([b]) => b).join(", ")} on ${h.name} is down; its VMs are rebuilt elsewhere in ${this.timing.failureTimeoutMs / 1000}s unless a link returns`,
          data: { bonds: dead.map(([b, e]) => ({ bond: b, down: e.down })), failureTimeoutS: this.timing.failureTimeoutMs / 1000 },
        });
      } else if (!dead.length && h.netFault) {
        const nf = h.netFault;
        h.netFault = null;
        await s.sink.record(tx, {
          at,
          kind: "storage-network-up",
          hostId: h.id,
          incidentId: nf.incidentId,
          message: `The storage network of ${h.name} is back`,
        });
        await this.alerts.clear(tx, "NETWORK_FAULT_HA", entity, at);
        if (!nf.triggered) {
          await tx.incident.update({ where: { id: nf.incidentId }, data: { status: "closed", closedAt: at, summary: "storage network back before the countdown ended" } });
        }
        this.capacityChanged = true;
      }
    });
    if (!h.netFault) this.failoverNeeded.delete(h.id);
  }

  private async triggerNetworkFault(h: HostMem): Promise<void> {
    const nf = h.netFault!;
    const at = this.at();
    await this.tx(async (tx, s) => {
      await tx.incident.update({ where: { id: nf.incidentId }, data: { failedAt: at } });
      await s.sink.record(tx, {
        at,
        kind: "network-fault-ha",
        hostId: h.id,
        incidentId: nf.incidentId,
        message: `The storage network of ${h.name} stayed down for ${this.timing.failureTimeoutMs / 1000}s: its VMs are stopped there and rebuilt elsewhere`,
        data: { downForS: (at.getTime() - nf.since) / 1000 },
      });
      await this.alerts.raise(tx, {
        kind: "NETWORK_FAULT_HA",
        entity: { type: "host", id: h.id, name: h.name },
        message: `Network-fault-triggered HA on ${h.name}: every NIC of its storage bond is down`,
        at,
        incidentId: nf.incidentId,
      });
    });
    nf.triggered = true;
    this.failoverNeeded.add(h.id);
    this.evalNeeded = true;
  }

  private async reconcileVms(h: HostMem): Promise<void> {
    const rep = h.report!;
    const onHost = await this.db.vm.findMany({
      where: { hostId: h.id },
      select: { id: true, name: true, power: true, generation: true, hostId: true },
    });
    const byId = new Map(onHost.map((v) => [v.id, v]));
    const elsewhereIds = [...rep.vms.keys()].filter((id) => !byId.has(id));
    const elsewhere = [];
    for (const part of chunked(elsewhereIds)) {
      elsewhere.push(...(await this.db.vm.findMany({ where: { id: { in: part } }, select: { id: true, name: true, power: true, generation: true, hostId: true } })));
    }
    const known = new Map(elsewhere.map((v) => [v.id, v]));
    const unknown: { vmId: string; generation: number }[] = [];
    for (const [vmId, r] of rep.vms) {
      const vm = byId.get(vmId) ?? known.get(vmId);
      if (!vm) {
        unknown.push({ vmId, generation: r.generation });
        continue;
      }
      if (vm.hostId === h.id && vm.generation === r.generation) {
        if (vm.power === "starting" && r.state === "running") await this.markRunning(vm.id, h.id, r.generation, "heartbeat");
        continue;
      }
      if (vm.power === "migrating" && vm.generation === r.generation + 1) continue; // live migration in flight
      await this.requestStop(h.id, vmId, r.generation, "stale", vm.name, null);
    }
    await this.noteUnknownVms(h, unknown);
    h.recheckStarts = false;
    for (const vm of onHost) {
      if (vm.power === "running" && !rep.vms.has(vm.id)) await this.handleCrash(vm.id, h);
      else if (vm.power === "starting" && !rep.vms.has(vm.id)) await this.checkLostStart(vm.id, h.id, vm.generation, "the host does not report it (it lost the VM while starting)");
    }
  }

  /**
   * VMs a host reports that the store does not know (nothing to stop: no such VM). Recorded once
   * per episode — one event per host listing the first UNKNOWN_VMS_LISTED ids and the count —
   * while its reports keep listing some; a new episode at most every UNKNOWN_VMS_EVENT_MIN_MS.
   */
  private async noteUnknownVms(h: HostMem, unknown: { vmId: string; generation: number }[]): Promise<void> {
    const now = this.clock.now();
    const ep = h.unknownVms;
    if (!unknown.length) {
      if (ep) ep.open = false;
      return;
    }
    if (ep && (ep.open || now - ep.eventAt < UNKNOWN_VMS_EVENT_MIN_MS)) {
      ep.open = true;
      return;
    }
    h.unknownVms = { open: true, eventAt: now };
    const shown = unknown.slice(0, UNKNOWN_VMS_LISTED);
    const more = unknown.length - shown.length;
    this.log.warn({ hostId: h.id, host: h.name, count: unknown.length, vmIds: shown.map((u) => u.vmId) }, "host reports VMs the console does not know");
    await this.tx(async (tx, s) => {
      await s.sink.record(tx, {
        at: new Date(now),
        kind: "unknown-vms-reported",
        hostId: h.id,
        message: `${h.name} reports ${unknown.length} VM${unknown.length === 1 ? "" : "s"} the console does not know: ${shown.map((u) => u.vmId).join(", ")}${more > 0 ? ` … and ${more} more` : ""} (recorded once while it keeps reporting them)`,
        data: { count: unknown.length, vms: shown, more },
      });
    });
  }

  /**
   * A start the agent took (command sent) but neither reports nor acknowledged: the host lost it
   * (power cycle, agent restart). It counts as a failed start: retried, then relocated — but only
   * on a report taken after the agent received the command (`force`: the boot time + a minute has
   * passed without a word from the agent), never on a report built before it fetched the command.
   */
  private async checkLostStart(vmId: string, hostId: string, generation: number, why: string, force = false): Promise<void> {
    const cmd = await this.db.agentCommand.findFirst({ where: { vmId, hostId, kind: "start-vm", generation, status: "sent" }, orderBy: { createdAt: "desc" } });
    if (!cmd) return;
    const h = this.hosts.get(hostId);
    if (!force && h && !this.reportAfterFetch(h, cmd.id, cmd.sentAt?.getTime() ?? null)) {
      h.recheckStarts = true; // the next heartbeat decides
      return;
    }
    await this.db.agentCommand.update({ where: { id: cmd.id }, data: { status: "failed", result: why, ackedAt: this.at() } });
    await this.handleStartFailure(vmId, hostId, JSON.parse(cmd.payload) as TStartVmPayload, why, true);
  }

  /**
   * Whether the host's latest report was taken after its agent received command `cmdId` (marked
   * sent at `sentAt`): the agent lists it in `commandsSeen`; or it restarted since it fetched it
   * (seq went down); or, from an agent that does not echo, its seq is two past the one the console
   * had at the fetch (the heartbeat in flight then may have been built before it); or, with no
   * record of the fetch (another controller instance handed it out), two heartbeat intervals have
   * passed since it was sent.
   */
  private reportAfterFetch(h: HostMem, cmdId: string, sentAt: number | null): boolean {
    if (h.seen?.has(cmdId)) return true;
    let mark: HostMem["fetches"][number] | undefined;
    if (sentAt !== null) for (const f of h.fetches) if (f.at <= sentAt) mark = f;
    if (mark) {
      if (h.hbRun > mark.run) return true;
      if (h.seen) return false; // it echoes what it received and does not list this one: built before
      if (mark.seq !== null) return h.hbSeq !== null && h.hbSeq >= mark.seq + 2;
    }
    return sentAt !== null && h.heard >= sentAt + 2 * this.timing.heartbeatMs;
  }

  /** Ask a host to stop one copy of a VM (stale generation, or one the store does not place there). */
  private async requestStop(hostId: string, vmId: string, generation: number, reason: TStopReason, vmName: string, incidentId: string | null) {
    const key = `${hostId}|${vmId}|${generation}`;
    const now = this.clock.now();
    const last = this.stopsSent.get(key);
    if (last !== undefined && now - last < 10_000) return;
    this.stopsSent.set(key, now);
    const exists = await this.db.vm.findUnique({ where: { id: vmId }, select: { id: true } });
    const at = new Date(now);
    await this.tx(async (tx, s) => {
      if (exists) {
        await this.createCommand(tx, s, { hostId, vmId, kind: "stop-vm", generation, payload: { vmName, reason, incidentId } });
      }
      await s.sink.record(tx, {
        at,
        kind: "stale-copy-stop-sent",
        hostId,
        vmId: exists ? vmId : null,
        incidentId,
        message: `${this.hostName(hostId)} runs ${vmName} (generation ${generation}) although the store places it elsewhere: told to stop it`,
        data: { generation, reason },
      });
    });
  }

  // ------------------------------------------------------------------ commands

  private async createCommand(
    tx: Tx,
    s: Scope,
    c: { hostId: string; vmId: string; kind: TAgentCommand["kind"]; generation: number; payload: object; status?: "pending" | "blocked" },
  ): Promise<string> {
    const row = await tx.agentCommand.create({
      data: {
        hostId: c.hostId,
        vmId: c.vmId,
        kind: c.kind,
        generation: c.generation,
        payload: JSON.stringify(c.payload),
        status: c.status ?? "pending",
        createdAt: this.at(),
      },
      select: { id: true },
    });
    if ((c.status ?? "pending") === "pending") s.hint(c.hostId);
    return row.id;
  }

  /** An agent acknowledged a command (the service has recorded the ack on the row). */
  async onCommandAck(cmdId: string, ack: TCommandAck, row?: CommandRow | null): Promise<void> {
    await this.lock.run(async () => {
      await this.load();
      await this.applyAck(cmdId, ack, row);
    });
  }

  private async applyAck(cmdId: string, ack: TCommandAck, row?: CommandRow | null): Promise<void> {
    {
      const cmd = row ?? (await this.db.agentCommand.findUnique({ where: { id: cmdId } }));
      if (!cmd || !cmd.vmId) return;
      const payload = JSON.parse(cmd.payload);
      if (cmd.kind === "start-vm") {
        const vm = await this.db.vm.findUnique({ where: { id: cmd.vmId }, select: { id: true, hostId: true, generation: true, power: true, name: true } });
        if (!vm) return;
        const current = vm.hostId === cmd.hostId && vm.generation === cmd.generation;
        if (ack.status === "done") {
          if (current && vm.power === "starting") await this.markRunning(vm.id, cmd.hostId, cmd.generation, "ack", payload as TStartVmPayload);
          else if (!current) await this.requestStop(cmd.hostId, vm.id, cmd.generation, "stale", vm.name, null);
        } else if (current && vm.power === "starting") {
          await this.handleStartFailure(vm.id, cmd.hostId, payload as TStartVmPayload, ack.error ?? "start failed");
        }
        return;
      }
      if (cmd.kind === "stop-vm") {
        await this.onStopAcked(cmd.id, cmd.hostId, cmd.vmId, cmd.generation, payload.reason as TStopReason, ack);
        return;
      }
      if (cmd.kind === "migrate-vm") {
        const vm = await this.db.vm.findUnique({ where: { id: cmd.vmId } });
        if (!vm) return;
        const at = this.at();
        if (ack.status === "done" && vm.power === "migrating" && vm.generation === cmd.generation) {
          const target = vm.hostId ? this.hosts.get(vm.hostId) : undefined;
          if (target && (target.state === "failed" || target.netFault?.triggered)) this.failoverNeeded.add(target.id); // it landed on a host being failed over
          await this.tx(async (tx, s) => {
            await tx.vm.update({ where: { id: vm.id }, data: { power: "running", powerSince: at } });
            await s.sink.record(tx, {
              at,
              kind: "vm-migrated",
              vmId: vm.id,
              hostId: vm.hostId,
              message: `${vm.name} live-migrated from ${this.hostName(cmd.hostId)} to ${this.hostName(vm.hostId)}`,
              data: { from: this.hostName(cmd.hostId), to: this.hostName(vm.hostId) },
            });
          });
          this.evalNeeded = true;
        } else if (ack.status === "failed" && vm.power === "migrating" && vm.generation === cmd.generation) {
          // The copy keeps running on the source: put it back there.
          await this.tx(async (tx, s) => {
            await tx.vm.update({ where: { id: vm.id }, data: { power: "running", hostId: cmd.hostId, generation: cmd.generation - 1, powerSince: at } });
            await s.sink.record(tx, {
              at,
              kind: "vm-migration-failed",
              vmId: vm.id,
              hostId: cmd.hostId,
              message: `${vm.name} could not live-migrate: ${ack.error ?? "failed"}; it stays on ${this.hostName(cmd.hostId)}`,
            });
          });
          this.evalNeeded = true;
          this.capacityChanged = true;
        }
      }
    }
  }

  private async onStopAcked(cmdId: string, hostId: string, vmId: string, generation: number, reason: TStopReason, ack: TCommandAck): Promise<void> {
    const at = this.at();
    this.stopsSent.delete(`${hostId}|${vmId}|${generation}`); // a copy seen again later gets a new stop
    const vm = await this.db.vm.findUnique({ where: { id: vmId }, select: { id: true, name: true, power: true, hostId: true, generation: true } });
    await this.tx(async (tx, s) => {
      {
        const blocked = await tx.agentCommand.findMany({ where: { status: "blocked", vmId } });
        for (const c of blocked) {
          const p = JSON.parse(c.payload) as TStartVmPayload;
          if (p.after === cmdId) {
            await tx.agentCommand.update({ where: { id: c.id }, data: { status: "pending" } });
            s.hint(c.hostId);
          }
        }
      }
      if (vm && (reason === "power-off" || reason === "maintenance") && vm.power === "stopping" && vm.hostId === hostId && vm.generation === generation) {
        await tx.deviceAllocation.deleteMany({ where: { vmId } });
        await tx.storageSession.deleteMany({ where: { vmId } });
        await tx.vm.update({ where: { id: vmId }, data: { power: "stopped", hostId: null, powerSince: at } });
      }
      await s.sink.record(tx, {
        at,
        kind: ack.status === "done" ? "vm-stopped" : "vm-stop-failed",
        vmId: vm ? vmId : null,
        hostId,
        incidentId: reason === "network-fault" || reason === "stale" ? (this.vmIncident.get(vmId) ?? null) : null,
        message: `${vm?.name ?? vmId} ${ack.status === "done" ? "stopped" : "did not stop"} on ${this.hostName(hostId)} (${reason})${ack.error ? `: ${ack.error}` : ""}`,
        data: { reason, generation },
      });
    });
    this.capacityChanged = true;
    this.evalNeeded = true;
  }

  private async markRunning(vmId: string, hostId: string, generation: number, via: "ack" | "heartbeat", acked?: TStartVmPayload): Promise<void> {
    const at = this.at();
    const cmd = acked
      ? null
      : await this.db.agentCommand.findFirst({
          where: { vmId, hostId, kind: "start-vm", generation },
          orderBy: { createdAt: "desc" },
        });
    const p = acked ?? (cmd ? (JSON.parse(cmd.payload) as TStartVmPayload) : null);
    const purpose = p?.purpose ?? "power-on";
    const incidentId = p?.incidentId ?? null;
    const inc = incidentId ? await this.incidentInfo(incidentId) : null;
    await this.tx(async (tx, s) => {
      const vm = await tx.vm.update({ where: { id: vmId }, data: { power: "running", powerSince: at } });
      if (cmd && via === "heartbeat" && cmd.status !== "done") await tx.agentCommand.update({ where: { id: cmd.id }, data: { status: "done", ackedAt: at, result: "running (heartbeat)" } });
      const sinceDown = inc ? (at.getTime() - inc.openedAt.getTime()) / 1000 : null;
      await s.sink.record(tx, {
        at,
        kind: "vm-running",
        vmId,
        hostId,
        incidentId,
        message: `${vm.name} is running on ${this.hostName(hostId)}${sinceDown !== null ? ` (${sinceDown}s after the incident began)` : ""}`,
        data: { purpose, generation, via, sinceIncidentS: sinceDown },
      });
      const entity = { type: "vm" as const, id: vmId, name: vm.name };
      if (purpose === "ha" || purpose === "relocate") {
        await this.alerts.raise(tx, {
          kind: "HA_REBUILD_SUCCEEDED",
          entity,
          at,
          hostId: inc?.hostId ?? hostId,
          incidentId,
          repeat: true,
          message: `${vm.name} was rebuilt on ${this.hostName(hostId)}${inc?.hostId ? ` after the ${inc.kind} of ${this.hostName(inc.hostId)}` : ""}${sinceDown !== null ? ` in ${sinceDown}s` : ""}`,
        });
      }
      await this.alerts.clear(tx, "HA_REBUILD_FAILED", entity, at);
      await this.alerts.clear(tx, "LOCAL_REBUILD_FAILED", entity, at);
    });
    this.evalNeeded = true;
    this.settle(vmId);
    this.restartState.delete(vmId);
    if (incidentId) await this.maybeCloseIncident(incidentId);
  }

  /**
   * A start failed: retried once on the same host, then relocated. `unconfirmed`: no agent said it
   * failed (a report or a timeout did) — it may still be booting there, so a relocation stops it
   * there first (the new start waits for that stop's ack, or for the host to be declared failed).
   */
  private async handleStartFailure(vmId: string, hostId: string, p: TStartVmPayload, error: string, unconfirmed = false): Promise<void> {
    const at = this.at();
    const incidentId = p.incidentId ?? null;
    const vm = await this.db.vm.findUniqueOrThrow({ where: { id: vmId } });
    await this.tx(async (tx, s) => {
      await s.sink.record(tx, {
        at,
        kind: "vm-start-failed",
        vmId,
        hostId,
        incidentId,
        message: `${vm.name} failed to start on ${this.hostName(hostId)} (attempt ${p.attempt}): ${error}`,
        data: { attempt: p.attempt, error, purpose: p.purpose, ...(unconfirmed ? { unconfirmed: true } : {}) },
      });
    });
    const next = await this.afterFailure(vmId, hostId);
    if (next.action === "give-up") {
      const st = this.hosts.get(hostId)?.state;
      await this.markError(vmId, next.why, incidentId, unconfirmed && (st === "online" || st === "maintenance") ? hostId : null);
      return;
    }
    if (next.action === "restart") {
      // Retry on the same target, same devices and generation.
      await this.tx(async (tx, s) => {
        await this.createCommand(tx, s, { hostId, vmId, kind: "start-vm", generation: vm.generation, payload: { ...p, attempt: p.attempt + 1, after: null } });
        await s.sink.record(tx, {
          at,
          kind: "vm-start-sent",
          vmId,
          hostId,
          incidentId,
          message: `${vm.name}: start retried on ${this.hostName(hostId)} (attempt ${p.attempt + 1})`,
          data: { attempt: p.attempt + 1 },
        });
      });
      return;
    }
    const avoid = [...new Set([...p.avoidHostIds, hostId])];
    if (p.purpose === "local-restart") {
      await this.tx(async (tx) => {
        await this.alerts.raise(tx, {
          kind: "LOCAL_REBUILD_FAILED",
          entity: { type: "vm", id: vmId, name: vm.name },
          at,
          hostId,
          incidentId,
          repeat: true,
          message: `${vm.name} could not be restarted on its own host ${this.hostName(hostId)}: ${error}; rebuilding it elsewhere`,
        });
      });
    }
    const st = this.hosts.get(hostId)?.state;
    const stopFirstOn = unconfirmed && (st === "online" || st === "maintenance") ? hostId : null;
    await this.relocate(vmId, avoid, incidentId, p.purpose === "power-on" || p.purpose === "maintenance-exit" ? p.purpose : "relocate", `start failed on ${this.hostName(hostId)}`, stopFirstOn);
  }

  /** Place a VM anew avoiding some hosts (failed starts, its crashed host); pending when nowhere. */
  private async relocate(
    vmId: string,
    avoid: string[],
    incidentId: string | null,
    purpose: StartPurpose,
    why: string,
    stopFirstOn: string | null = null,
    stopReason: TStopReason = "stale",
  ): Promise<void> {
    const snap = await this.snapshot();
    const out = placeVm(snap, vmId, { purpose: "ha", ignoreReserve: true, excludeHostIds: [...avoid, ...this.unavailableHostIds()] });
    const failedHostId = incidentId ? ((await this.db.incident.findUnique({ where: { id: incidentId }, select: { hostId: true } }))?.hostId ?? null) : null;
    if (out.kind === "placed") {
      await this.tx((tx, s) => this.applyPlacement(tx, s, snap, out, { purpose, incidentId, attempt: 1, avoid, note: why, stopFirstOn, stopReason }));
    } else {
      const reasons = [`${why}; no other host fits`, ...out.reasons, ...out.rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`)];
      await this.tx((tx, s) =>
        this.markPending(tx, s, snap, vmId, reasons, { incidentId, failedHostId: failedHostId ?? stopFirstOn, alert: purpose !== "power-on", stopOn: stopFirstOn, stopReason }),
      );
    }
  }

  // ------------------------------------------------------------------ restart policy

  /** The VM's restart policy: its own, else the cluster's (null relocations: no limit). */
  private async restartPolicy(vmId: string): Promise<{ maxRestarts: number; maxRelocations: number | null }> {
    const vm = await this.db.vm.findUnique({ where: { id: vmId }, select: { restartMaxRestarts: true, restartMaxRelocations: true } });
    return {
      maxRestarts: vm?.restartMaxRestarts ?? this.policy.maxRestarts,
      maxRelocations: vm?.restartMaxRelocations ?? this.policy.maxRelocations,
    };
  }

  /**
   * A start of the VM failed on `hostId`, or it crashed there: what its restart policy allows next.
   * Restarts count per host (a relocation starts the count again on the new host); relocations
   * count from the first failure until the VM runs again (or an admin retries it). Every start
   * after a failure counts, an admin's power-on included.
   */
  private async afterFailure(vmId: string, hostId: string): Promise<{ action: "restart" | "relocate" | "give-up"; why: string }> {
    const pol = await this.restartPolicy(vmId);
    const st = this.restartState.get(vmId) ?? { hostId, restarts: 0, relocations: 0 };
    this.restartState.set(vmId, st);
    if (st.hostId !== hostId) {
      st.hostId = hostId;
      st.restarts = 0;
    }
    if (st.restarts < pol.maxRestarts) {
      st.restarts++;
      return { action: "restart", why: "" };
    }
    if (pol.maxRelocations === null || st.relocations < pol.maxRelocations) {
      st.relocations++;
      st.hostId = null;
      st.restarts = 0;
      return { action: "relocate", why: "" };
    }
    return {
      action: "give-up",
      why: `its restart policy is spent (${pol.maxRestarts} restart${pol.maxRestarts === 1 ? "" : "s"} on the same host, ${pol.maxRelocations} relocation${pol.maxRelocations === 1 ? "" : "s"} after a failure; the last failure was on ${this.hostName(hostId)}): it waits for an admin to retry it`,
    };
  }

  /** The restart policy is spent: `error`, nothing held, HA_REBUILD_FAILED says why. */
  private async markError(vmId: string, why: string, incidentId: string | null, stopOn: string | null): Promise<void> {
    const at = this.at();
    this.settle(vmId);
    await this.tx(async (tx, s) => {
      const before = await tx.vm.findUniqueOrThrow({ where: { id: vmId } });
      if (stopOn) {
        await this.createCommand(tx, s, { hostId: stopOn, vmId, kind: "stop-vm", generation: before.generation, payload: { vmName: before.name, reason: "stale", incidentId } });
        this.stopsSent.set(`${stopOn}|${vmId}|${before.generation}`, at.getTime());
      }
      await tx.deviceAllocation.deleteMany({ where: { vmId } });
      await tx.storageSession.deleteMany({ where: { vmId } });
      await tx.vm.update({ where: { id: vmId }, data: { power: "error", hostId: null, powerSince: at } });
      await s.sink.record(tx, { at, kind: "vm-error", vmId, hostId: before.hostId, incidentId, message: `${before.name} is in error: ${why}`, data: { reason: why } });
      await this.alerts.raise(tx, {
        kind: "HA_REBUILD_FAILED",
        entity: { type: "vm", id: vmId, name: before.name },
        at,
        hostId: before.hostId,
        incidentId,
        message: `${before.name} is not restarted: ${why}`,
      });
    });
    this.capacityChanged = true;
    this.evalNeeded = true;
  }

  /** An admin retries a VM in `error` (its restart policy starts afresh): placed where it fits, else pending. Call under the lock. */
  async retryVmLocked(vmId: string, by?: string): Promise<{ vmId: string; power: string }> {
    const vm = await this.db.vm.findUnique({ where: { id: vmId } });
    if (!vm) throw new AppError("NOT_FOUND", `VM ${vmId} not found`);
    if (vm.power !== "error") throw new AppError("CONFLICT", `${vm.name} is ${vm.power}, not in error: nothing to retry`);
    this.restartState.delete(vmId);
    const at = this.at();
    await this.tx(async (tx, s) => {
      await tx.vm.update({ where: { id: vmId }, data: { power: "pending", desiredPower: "on", powerSince: at } });
      await s.sink.record(tx, { at, kind: "vm-retry", vmId, message: `${vm.name}: retried${by ? ` by ${by}` : ""}; its restart policy starts afresh` });
    });
    this.capacityChanged = true;
    await this.retryPending();
    const after = await this.db.vm.findUniqueOrThrow({ where: { id: vmId }, select: { power: true } });
    return { vmId, power: after.power };
  }

  // ------------------------------------------------------------------ admin: host confirmed off

  /**
   * An admin states that a silent host is powered off. Acts at once, even before the failure
   * timeout: the host is failed, its VMs of unknown state are known off, HA VMs are rebuilt and
   * the others stopped (they may be powered on elsewhere). Refused for a host that heartbeats.
   * Call under the lock (confirmHostPoweredOff in maintenance.ts); the caller audits it.
   */
  async confirmPoweredOffLocked(hostId: string, by?: string): Promise<{ hostId: string; host: string; vms: string[] }> {
    const h = this.hosts.get(hostId);
    if (!h) throw new AppError("NOT_FOUND", `Host ${hostId} not found`);
    if (h.state !== "unreachable" && h.state !== "failed")
      throw new AppError("CONFLICT", `${h.name} is ${h.state} and reports to the console: it cannot be confirmed powered off`);
    const at = this.at();
    const on = await this.db.vm.findMany({ where: { hostId }, select: { id: true, name: true, power: true }, orderBy: { name: "asc" } });
    await this.tx(async (tx, s) => {
      for (const vm of on) {
        if (vm.power !== "unknown") continue;
        await tx.vm.update({ where: { id: vm.id }, data: { power: "running", powerSince: at } });
        await this.alerts.clear(tx, "VM_STATE_UNKNOWN", { type: "vm", id: vm.id }, at);
      }
      await s.sink.record(tx, {
        at,
        kind: "host-confirmed-off",
        hostId,
        incidentId: h.incidentId,
        message: `${by ? `${by} confirmed` : "An admin confirmed"} that ${h.name} is powered off: its VMs are known off${on.length ? ` (${on.map((v) => v.name).join(", ")})` : ""}; HA VMs are rebuilt, the others stopped`,
        data: { by: by ?? null, vms: on.map((v) => v.name) },
      });
    });
    if (h.state === "unreachable") await this.markFailed(h, `${h.name} confirmed powered off by an admin: failed; its HA VMs are rebuilt elsewhere`);
    else this.failoverNeeded.add(h.id);
    await this.runFailover();
    return { hostId, host: h.name, vms: on.map((v) => v.name) };
  }

  // ------------------------------------------------------------------ device health

  /**
   * A device failed (or is healthy again): a GPU by its name, or a NIC (all its VFs) by its name.
   * A failed device is never allocated until it is healthy again; a VM using it is stopped and
   * rebuilt elsewhere (an unplanned down, with an incident); other VMs of the host stay.
   * Call under the lock.
   */
  async setDeviceHealthLocked(hostId: string, device: string, healthy: boolean): Promise<{ device: string; affected: string[] }> {
    const h = this.hosts.get(hostId);
    if (!h) throw new AppError("NOT_FOUND", `Host ${hostId} not found`);
    const gpu = await this.db.gpu.findFirst({ where: { hostId, OR: [{ name: device }, { id: device }] }, select: { id: true, name: true } });
    const nic = gpu ? null : await this.db.nic.findFirst({ where: { hostId, OR: [{ name: device }, { id: device }] }, select: { id: true, name: true } });
    if (!gpu && !nic) throw new AppError("NOT_FOUND", `${h.name} has no GPU or NIC "${device}"`);
    const kind = gpu ? ("gpu" as const) : ("nic" as const);
    const dev = (gpu ?? nic)!;
    const key = `${kind}:${dev.id}`;
    const at = this.at();
    const entity = { type: "host" as const, id: h.id, name: h.name };
    if (healthy) {
      if (!this.failedDevices.delete(key)) return { device: dev.name, affected: [] };
      const still = [...this.failedDevices.values()].filter((d) => d.hostId === hostId);
      await this.tx(async (tx, s) => {
        await s.sink.record(tx, { at, kind: "device-ok", hostId, message: `${h.name}/${dev.name} is healthy again: it may be allocated` });
        if (still.length) await this.alerts.raise(tx, { kind: "DEVICE_FAILED", entity, at, hostId, message: `Failed devices on ${h.name}: ${still.map((d) => d.name).join(", ")}; they are not allocated until healthy` });
        else await this.alerts.clear(tx, "DEVICE_FAILED", entity, at);
      });
      this.capacityChanged = true;
      this.evalNeeded = true;
      return { device: dev.name, affected: [] };
    }
    if (this.failedDevices.has(key)) return { device: dev.name, affected: [] };
    this.failedDevices.set(key, { hostId, kind, id: dev.id, name: dev.name });
    const users = await this.db.vm.findMany({
      where: { hostId, power: { in: ["running", "starting", "migrating"] }, allocations: { some: kind === "gpu" ? { gpuId: dev.id } : { nicId: dev.id } } },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
    });
    const failedNow = [...this.failedDevices.values()].filter((d) => d.hostId === hostId);
    const incidentId = await this.tx(async (tx, s) => {
      const inc = users.length ? await openIncident(tx, { clusterId: this.clusterId, kind: "device-failure", hostId, openedAt: at, detectedAt: at, failedAt: at }) : null;
      await s.sink.record(tx, {
        at,
        kind: "device-failed",
        hostId,
        incidentId: inc?.id ?? null,
        message: `${h.name}/${dev.name} failed: not allocated until healthy${users.length ? `; ${users.map((u) => u.name).join(", ")} stopped and rebuilt elsewhere` : ""}`,
        data: { device: dev.name, kind, vms: users.map((u) => u.name) },
      });
      await this.alerts.raise(tx, { kind: "DEVICE_FAILED", entity, at, hostId, incidentId: inc?.id ?? null, message: `Failed devices on ${h.name}: ${failedNow.map((d) => d.name).join(", ")}; they are not allocated until healthy` });
      return inc?.id ?? null;
    });
    const reachable = h.state === "online" || h.state === "maintenance";
    for (const u of users) {
      await this.relocate(u.id, [hostId], incidentId, "relocate", `its device ${h.name}/${dev.name} failed`, reachable ? hostId : null, "device-fault");
    }
    if (incidentId) await this.maybeCloseIncident(incidentId);
    this.capacityChanged = true;
    this.evalNeeded = true;
    return { device: dev.name, affected: users.map((u) => u.name) };
  }

  // ------------------------------------------------------------------ long maintenance

  /**
   * Device VMs powered off for a maintenance that has lasted longer than the cluster's
   * maintenanceRebuildAfterS are rebuilt elsewhere (otherwise they wait for their host's exit).
   */
  private async rebuildAfterLongMaintenance(now: number): Promise<void> {
    const limit = this.policy.maintenanceRebuildAfterMs;
    if (limit === null) return;
    const hosts = await this.db.host.findMany({ where: { state: "maintenance", stateSince: { lte: new Date(now - limit) } }, select: { id: true, name: true } });
    for (const host of hosts) {
      const flagged = await this.db.vm.findMany({ where: { restartOnMaintenanceExit: true, power: "stopped" }, orderBy: { name: "asc" }, select: { id: true, name: true } });
      for (const vm of flagged) {
        const stop = await this.db.agentCommand.findFirst({ where: { vmId: vm.id, kind: "stop-vm" }, orderBy: { createdAt: "desc" }, select: { hostId: true, payload: true } });
        if (!stop || stop.hostId !== host.id || (JSON.parse(stop.payload) as { reason?: string }).reason !== "maintenance") continue;
        const snap = await this.snapshot();
        const out = placeVm(snap, vm.id, { purpose: "power-on", ignoreReserve: true, excludeHostIds: [host.id, ...this.unavailableHostIds()] });
        const why = `${host.name} is still in maintenance after ${limit / 1000}s`;
        if (out.kind === "placed") {
          await this.tx((tx, s) => this.applyPlacement(tx, s, snap, out, { purpose: "maintenance-exit", incidentId: null, attempt: 1, avoid: [host.id], note: why }));
        } else {
          await this.tx(async (tx, s) => {
            await tx.vm.update({ where: { id: vm.id }, data: { restartOnMaintenanceExit: false } });
            await this.markPending(tx, s, snap, vm.id, [why, ...out.reasons], { incidentId: null, failedHostId: host.id, alert: true });
          });
        }
      }
    }
  }

  // ------------------------------------------------------------------ crashes

  private async handleCrash(vmId: string, h: HostMem): Promise<void> {
    const at = this.at();
    const vm = await this.db.vm.findUniqueOrThrow({ where: { id: vmId } });
    const incidentId = await this.tx(async (tx, s) => {
      const inc = await openIncident(tx, { clusterId: this.clusterId, kind: "vm-crash", hostId: h.id, openedAt: at, detectedAt: at, failedAt: at });
      await s.sink.record(tx, {
        at,
        kind: "vm-crashed",
        vmId,
        hostId: h.id,
        incidentId: inc.id,
        message: `${vm.name} stopped running on ${h.name} without being asked to`,
        data: { generation: vm.generation },
      });
      return inc.id;
    });
    if (vm.haPriority === "off" || this.haMode === "disabled") {
      const snap = await this.snapshot();
      await this.tx((tx, s) => this.markStopped(tx, s, snap, vmId, "HA priority is off or HA is disabled: not restarted", incidentId));
      await this.maybeCloseIncident(incidentId);
      return;
    }
    const next = await this.afterFailure(vmId, h.id);
    if (next.action === "give-up") {
      await this.markError(vmId, next.why, incidentId, null);
      await this.maybeCloseIncident(incidentId);
      return;
    }
    if (next.action === "relocate") {
      await this.relocate(vmId, [h.id], incidentId, "relocate", `${vm.name} crashed on ${h.name}; its restart policy allows no further restart there`);
      return;
    }
    const snap = await this.snapshot();
    const out = planLocalRestart(snap, vmId);
    if (out.kind === "placed" && out.hostId === h.id) {
      await this.tx((tx, s) => this.applyPlacement(tx, s, snap, out, { purpose: "local-restart", incidentId, attempt: 1, avoid: [] }));
      return;
    }
    const why = out.reasons.join("; ");
    await this.tx(async (tx) => {
      await this.alerts.raise(tx, {
        kind: "LOCAL_REBUILD_FAILED",
        entity: { type: "vm", id: vmId, name: vm.name },
        at,
        hostId: h.id,
        incidentId,
        repeat: true,
        message: `${vm.name} cannot be restarted on ${h.name}: ${why}`,
      });
    });
    if (out.kind === "placed") await this.tx((tx, s) => this.applyPlacement(tx, s, snap, out, { purpose: "relocate", incidentId, attempt: 1, avoid: [h.id] }));
    else await this.tx((tx, s) => this.markPending(tx, s, snap, vmId, out.reasons, { incidentId, failedHostId: h.id, alert: true }));
  }

  // ------------------------------------------------------------------ failover

  private async runFailover(): Promise<void> {
    // A network-faulted host that has meanwhile become unreachable cannot be told to stop its
    // VMs: wait until it is declared failed (its isolation response has run) or comes back.
    const hostIds = [...this.failoverNeeded].filter((id) => this.hosts.has(id) && this.hosts.get(id)!.state !== "unreachable");
    for (const id of [...this.failoverNeeded]) if (!this.hosts.has(id) || hostIds.includes(id)) this.failoverNeeded.delete(id);
    if (!hostIds.length) return;
    const snap = await this.snapshot();
    const failed = new Set(hostIds);
    // A VM live-migrating onto a failed host still runs on its (reachable) source: it is not a
    // victim. The migration's outcome decides: back on the source, or failed over once it lands.
    for (const v of snap.vms) {
      if (v.power !== "migrating" || !v.hostId || !failed.has(v.hostId)) continue;
      const m = await this.db.agentCommand.findFirst({ where: { vmId: v.id, kind: "migrate-vm" }, orderBy: { createdAt: "desc" }, select: { hostId: true, status: true } });
      const src = m ? this.hosts.get(m.hostId) : undefined;
      if (m && src && (src.state === "online" || src.state === "maintenance") && (m.status === "pending" || m.status === "sent")) v.hostId = m.hostId;
    }
    // VMs of unknown state (opted out of the isolation response) stay where they are: started
    // nowhere else until their host reports again or an admin confirms it is powered off.
    const unknownIds = new Set(
      (await this.db.vm.findMany({ where: { hostId: { in: hostIds }, power: "unknown" }, select: { id: true } })).map((v) => v.id),
    );
    if (unknownIds.size) snap.vms = snap.vms.filter((v) => !unknownIds.has(v.id));
    const victims = snap.vms.filter((v) => v.hostId && failed.has(v.hostId));
    const incidents = new Set<string>();
    const incidentOfHost = (hostId: string) => {
      const h = this.hosts.get(hostId)!;
      const id = h.netFault?.triggered ? h.netFault.incidentId : h.incidentId;
      if (id) incidents.add(id);
      return id ?? null;
    };
    for (const id of hostIds) incidentOfHost(id);
    if (victims.length) {
      const vmHost = new Map(victims.map((v) => [v.id, v.hostId!]));
      const reachable = (hostId: string) => {
        const st = this.hosts.get(hostId)?.state;
        return st === "online" || st === "maintenance";
      };
      const plan = planFailover(snap, hostIds);
      const at = this.at();
      for (const id of hostIds) {
        const inc = incidentOfHost(id);
        const mine = (xs: { vmId: string }[]) => xs.filter((x) => vmHost.get(x.vmId) === id).length;
        await this.tx(async (tx, s) => {
          await s.sink.record(tx, {
            at,
            kind: "failover-planned",
            hostId: id,
            incidentId: inc,
            message: `Failover of ${this.hostName(id)}: ${mine(plan.placements)} to restart, ${mine(plan.unplaceable)} without a host, ${mine(plan.skipped)} not restarted`,
            data: {
              order: plan.placements.filter((p) => vmHost.get(p.vmId) === id).map((p) => ({ vm: snap.vms.find((v) => v.id === p.vmId)?.name, to: p.hostName })),
              unplaceable: plan.unplaceable.filter((p) => vmHost.get(p.vmId) === id).map((p) => ({ vm: snap.vms.find((v) => v.id === p.vmId)?.name, reasons: p.reasons })),
              skipped: plan.skipped.filter((p) => vmHost.get(p.vmId) === id).map((p) => ({ vm: snap.vms.find((v) => v.id === p.vmId)?.name, reason: p.reason })),
            },
          });
        });
      }
      for (const p of plan.placements) {
        const from = vmHost.get(p.vmId)!;
        try {
          await this.tx((tx, s) =>
            this.applyPlacement(tx, s, snap, p, {
              purpose: "ha",
              incidentId: incidentOfHost(from),
              attempt: 1,
              avoid: [],
              stopFirstOn: reachable(from) ? from : null,
            }),
          );
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
          this.log.warn({ vmId: p.vmId }, "failover placement collided with another allocation; the VM waits for the next try");
          await this.tx((tx, s) =>
            this.markPending(tx, s, snap, p.vmId, ["its devices were taken meanwhile; retried"], {
              incidentId: incidentOfHost(from),
              failedHostId: from,
              alert: false,
              stopOn: reachable(from) ? from : null,
            }),
          );
          this.capacityChanged = true;
        }
      }
      for (const u of plan.unplaceable) {
        const from = vmHost.get(u.vmId)!;
        const reasons = [...u.reasons, ...u.rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`)];
        await this.tx((tx, s) =>
          this.markPending(tx, s, snap, u.vmId, reasons, { incidentId: incidentOfHost(from), failedHostId: from, alert: true, stopOn: reachable(from) ? from : null }),
        );
      }
      for (const k of plan.skipped) {
        const from = vmHost.get(k.vmId)!;
        // Being powered off for a maintenance that has ended meanwhile: it is meant to run again.
        const row = await this.db.vm.findUnique({ where: { id: k.vmId }, select: { restartOnMaintenanceExit: true, power: true } });
        if (row?.restartOnMaintenanceExit && row.power === "stopping" && this.hosts.get(from)?.state !== "maintenance") {
          await this.tx((tx, s) =>
            this.markPending(tx, s, snap, k.vmId, [`its host ${this.hostName(from)} failed while it was powered off for maintenance`], {
              incidentId: incidentOfHost(from),
              failedHostId: from,
              alert: true,
              stopOn: reachable(from) ? from : null,
            }),
          );
          this.capacityChanged = true;
          continue;
        }
        await this.tx((tx, s) => this.markStopped(tx, s, snap, k.vmId, k.reason, incidentOfHost(from), reachable(from) ? from : null));
      }
    }
    this.evalNeeded = true;
    for (const id of incidents) await this.maybeCloseIncident(id);
  }

  private async retryPending(): Promise<void> {
    const pending = await this.db.vm.findMany({ where: { power: "pending" }, select: { id: true } });
    if (!pending.length) return;
    // Never start a VM elsewhere while a copy may still run: a stop not yet acknowledged by a host
    // that is not failed (a failed host has powered its VMs off) holds the VM back.
    const stops: { vmId: string | null; hostId: string }[] = [];
    for (const part of chunked(pending.map((p) => p.id))) {
      stops.push(
        ...(await this.db.agentCommand.findMany({
          where: { kind: "stop-vm", status: { in: ["pending", "sent"] }, vmId: { in: part } },
          select: { vmId: true, hostId: true },
        })),
      );
    }
    const held = new Set(stops.filter((c) => this.hosts.get(c.hostId)?.state !== "failed").map((c) => c.vmId!));
    const snap = await this.snapshot();
    const ids = new Set(pending.map((p) => p.id).filter((id) => !held.has(id)));
    if (held.size) this.capacityChanged = true; // look again next step
    const order = failoverOrder(buildCapacity(snap), snap.vms.filter((v) => ids.has(v.id)));
    for (const vm of order) {
      const out = placeVm(snap, vm.id, { purpose: "ha", ignoreReserve: true, excludeHostIds: this.unavailableHostIds() });
      const incidentId = await this.incidentFor(vm.id);
      if (out.kind === "placed") {
        try {
          await this.tx((tx, s) => this.applyPlacement(tx, s, snap, out, { purpose: "ha", incidentId, attempt: 1, avoid: [], note: "capacity changed" }));
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
          this.capacityChanged = true;
        }
      } else {
        const reasons = [...out.reasons, ...out.rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`)];
        const entity = { type: "vm" as const, id: vm.id, name: vm.name };
        if (this.alerts.isOpen("HA_REBUILD_FAILED", entity)) {
          await this.alerts.raise(this.db, { kind: "HA_REBUILD_FAILED", entity, at: this.at(), message: this.rebuildFailedMessage(vm.name, reasons) });
        }
      }
    }
  }

  private async incidentFor(vmId: string): Promise<string | null> {
    const known = this.vmIncident.get(vmId);
    if (known) {
      const inc = await this.db.incident.findUnique({ where: { id: known }, select: { status: true } });
      if (inc?.status === "open") return known;
    }
    const ev = await this.db.event.findFirst({
      where: { vmId, incidentId: { not: null }, incident: { status: "open" } },
      orderBy: { at: "desc" },
      select: { incidentId: true },
    });
    return ev?.incidentId ?? null;
  }

  private rebuildFailedMessage(name: string, reasons: string[]): string {
    return `${name} could not be rebuilt on any host: ${summarizeRebuildReasons(reasons, { hostNames: [...this.hosts.values()].map((h) => h.name) })}`;
  }

  /** Immutable facts of an incident (cached). */
  private async incidentInfo(id: string): Promise<{ id: string; seq: number; kind: string; hostId: string | null; openedAt: Date } | null> {
    const hit = this.incidents.get(id);
    if (hit) return hit;
    const row = await this.db.incident.findUnique({ where: { id }, select: { id: true, seq: true, kind: true, hostId: true, openedAt: true } });
    if (row) this.incidents.set(id, row);
    return row;
  }

  /** A VM of an incident is in flight again (placed, waiting). */
  private track(incidentId: string | null, vmId: string): void {
    if (!incidentId) return;
    const set = this.inflight.get(incidentId) ?? new Set<string>();
    set.add(vmId);
    this.inflight.set(incidentId, set);
  }

  /** A VM came to rest (running, or given up). */
  private settle(vmId: string): void {
    for (const set of this.inflight.values()) set.delete(vmId);
  }

  /**
   * Closes an incident when none of its VMs is still on its way (pending, starting, stopping,
   * migrating, or waiting behind a stop). `force` re-checks the store whatever memory says.
   */
  private async maybeCloseIncident(incidentId: string, force = false): Promise<void> {
    const mem = this.inflight.get(incidentId);
    if (!force && mem && mem.size > 0) return;
    const inc = await this.db.incident.findUnique({ where: { id: incidentId } });
    if (!inc || inc.status !== "open") {
      this.inflight.delete(incidentId);
      return;
    }
    if (inc.kind !== "vm-crash" && !inc.failedAt) return;
    if (inc.hostId && this.failoverNeeded.has(inc.hostId)) return;
    const evs = await this.db.event.findMany({ where: { incidentId, vmId: { not: null } }, select: { vmId: true }, distinct: ["vmId"] });
    const vmIds = evs.map((e) => e.vmId!);
    let active = 0;
    for (const part of chunked(vmIds)) active += await this.db.vm.count({ where: { id: { in: part }, power: { in: ["pending", "starting", "stopping", "migrating"] } } });
    if (active > 0) return;
    let blocked = 0;
    for (const part of chunked(vmIds)) blocked += await this.db.agentCommand.count({ where: { vmId: { in: part }, status: "blocked" } });
    if (blocked > 0) return;
    const at = this.at();
    let running = 0;
    for (const part of chunked(vmIds)) running += await this.db.vm.count({ where: { id: { in: part }, power: "running" } });
    await this.tx(async (tx, s) => {
      await tx.incident.update({
        where: { id: incidentId },
        data: { status: "closed", closedAt: at, summary: `${running} of ${vmIds.length} VMs running again` },
      });
      await s.sink.record(tx, {
        at,
        kind: "incident-closed",
        hostId: inc.hostId,
        incidentId,
        message: `Incident ${inc.seq} closed: ${running} of ${vmIds.length} VMs running again`,
        data: { durationS: (at.getTime() - inc.openedAt.getTime()) / 1000 },
      });
    });
    for (const h of this.hosts.values()) if (h.incidentId === incidentId) h.incidentId = null;
    this.inflight.delete(incidentId);
  }

  // ------------------------------------------------------------------ executor (inside a transaction)

  /** Device label for reports and commands: "h2/ens1f0/vf0", "h3/h3-gpu0/slot1", "h1/h1-gpu0". */
  static deviceLabel(snap: ClusterSnapshot, a: DeviceAllocation): string {
    const host = snap.hosts.find((h) => h.id === a.hostId);
    const hn = host?.name ?? a.hostId;
    if (a.type === "sriov") {
      const nic = host?.nics.find((n) => n.id === a.nicId);
      return `${hn}/${nic?.name ?? a.nicId}/vf${a.vf}`;
    }
    const gpu = host?.gpus.find((g) => g.id === a.gpuId);
    return a.type === "vgpu" ? `${hn}/${gpu?.name ?? a.gpuId}/slot${a.slot}` : `${hn}/${gpu?.name ?? a.gpuId}`;
  }

  /** Addresses for NICs on managed networks that have none yet (kept for the VM's life). */
  async ensureLeases(tx: Tx, vmId: string): Promise<void> {
    const nics = await tx.vmNic.findMany({ where: { vmId, lease: null }, include: { network: true }, orderBy: { index: "asc" } });
    for (const n of nics) {
      const net = n.network;
      if (!net.managed || !net.cidr) continue;
      const used = new Set((await tx.ipLease.findMany({ where: { networkId: net.id }, select: { address: true } })).map((l) => l.address));
      let address: string;
      if (n.staticIp) address = n.staticIp;
      else {
        const r = allocateAddress({ cidr: net.cidr, gateway: net.gateway, poolStart: net.poolStart, poolEnd: net.poolEnd }, used);
        if (!r.ok) throw Object.assign(new Error(`${net.name}: ${r.reason}`), { code: "IPAM" });
        address = r.address;
      }
      await tx.ipLease.create({ data: { networkId: net.id, address, vmId, vmNicId: n.id, static: !!n.staticIp, createdAt: this.at() } });
    }
  }

  /**
   * Persist one placement: devices moved to the concrete units the engine chose, generation
   * bumped, storage sessions planned, IP leases KEPT, a start-vm command queued (held behind a
   * stop on `stopFirstOn` when the old host is still reachable) and the events written.
   */
  async applyPlacement(
    tx: Tx,
    s: Scope,
    snap: ClusterSnapshot,
    placed: Placed,
    o: {
      purpose: StartPurpose;
      incidentId: string | null;
      attempt: number;
      avoid: string[];
      stopFirstOn?: string | null;
      stopReason?: TStopReason;
      note?: string;
    },
  ): Promise<void> {
    const at = this.at();
    const sv = snap.vms.find((v) => v.id === placed.vmId)!;
    const fromHostId = sv.hostId ?? null;
    sv.hostId = placed.hostId;
    sv.allocations = placed.allocations;
    sv.power = "starting";
    // The VM alone decides local sessions; the whole cluster only matters to spread redirected ones.
    let sessions = planStorageSessions({ ...snap, vms: [sv] });
    if (sessions.some((p) => p.redirected || p.unavailable)) sessions = planStorageSessions(snap).filter((p) => p.vmId === sv.id);
    this.track(o.incidentId, sv.id);
    await tx.deviceAllocation.deleteMany({ where: { vmId: sv.id } });
    if (placed.allocations.length) {
      await tx.deviceAllocation.createMany({
        data: placed.allocations.map((a) => ({
          deviceKey: a.key,
          vmId: sv.id,
          hostId: placed.hostId,
          type: a.type,
          tag: a.tag,
          gpuId: a.gpuId ?? null,
          slot: a.slot ?? null,
          nicId: a.nicId ?? null,
          vf: a.vf ?? null,
          createdAt: at,
        })),
      });
    }
    await tx.storageSession.deleteMany({ where: { vmId: sv.id } });
    if (sessions.length) {
      await tx.storageSession.createMany({
        data: sessions.map((p) => ({ vmId: sv.id, diskIndex: p.diskIndex, session: p.session, controllerHostId: p.controllerHostId })),
      });
    }
    await this.ensureLeases(tx, sv.id);
    const prev = await tx.vm.findUniqueOrThrow({ where: { id: sv.id }, select: { generation: true } });
    const vm = await tx.vm.update({
      where: { id: sv.id },
      data: {
        hostId: placed.hostId,
        power: "starting",
        desiredPower: "on",
        generation: prev.generation + 1,
        powerSince: at,
        restartOnMaintenanceExit: false,
        placedByAdmin: false,
        lastPlacementReasons: JSON.stringify(placed.reasons),
      },
    });
    const leases = await tx.ipLease.findMany({ where: { vmId: sv.id }, include: { vmNic: true } });
    const ips = leases.sort((a, b) => a.vmNic.index - b.vmNic.index).map((l) => l.address);
    let after: string | null = null;
    if (o.stopFirstOn) {
      after = await this.createCommand(tx, s, {
        hostId: o.stopFirstOn,
        vmId: sv.id,
        kind: "stop-vm",
        generation: prev.generation,
        payload: { vmName: vm.name, reason: o.stopReason ?? "network-fault", incidentId: o.incidentId },
      });
      this.stopsSent.set(`${o.stopFirstOn}|${sv.id}|${prev.generation}`, at.getTime());
      await s.sink.record(tx, {
        at,
        kind: "vm-stop-sent",
        vmId: sv.id,
        hostId: o.stopFirstOn,
        incidentId: o.incidentId,
        message: `${vm.name} is stopped on ${this.hostName(o.stopFirstOn)} first (its agent is reachable)`,
        data: { generation: prev.generation },
      });
    }
    const payload: TStartVmPayload = {
      vmName: vm.name,
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
      haPriority: vm.haPriority as TStartVmPayload["haPriority"],
      devices: placed.allocations.map((a) => ({ key: a.key, type: a.type, tag: a.tag, device: HaController.deviceLabel(snap, a) })),
      ips,
      disks: sessions.map((p) => ({ index: p.diskIndex, session: p.session, controller: this.hostName(p.controllerHostId) ?? p.controllerHostId })),
      purpose: o.purpose,
      incidentId: o.incidentId,
      attempt: o.attempt,
      avoidHostIds: o.avoid,
      after,
      ...(vm.keepRunningWhenIsolated ? { keepRunningWhenIsolated: true } : {}),
    };
    await this.createCommand(tx, s, { hostId: placed.hostId, vmId: sv.id, kind: "start-vm", generation: vm.generation, payload, status: after ? "blocked" : "pending" });
    await s.sink.record(tx, {
      at,
      kind: "vm-planned",
      vmId: sv.id,
      hostId: placed.hostId,
      incidentId: o.incidentId,
      message: `${vm.name} → ${placed.hostName}${o.note ? ` (${o.note})` : ""}: ${placed.reasons.join("; ")}`,
      data: {
        purpose: o.purpose,
        from: this.hostName(fromHostId),
        to: placed.hostName,
        generation: vm.generation,
        devices: payload.devices.map((d) => d.device),
        ips,
        reasons: placed.reasons,
        rejections: placed.rejections,
        attempt: o.attempt,
        avoid: o.avoid.map((h) => this.hostName(h)),
      },
    });
    await s.sink.record(tx, {
      at,
      kind: after ? "vm-start-queued" : "vm-start-sent",
      vmId: sv.id,
      hostId: placed.hostId,
      incidentId: o.incidentId,
      message: after ? `${vm.name}: start on ${placed.hostName} waits for the stop on ${this.hostName(o.stopFirstOn)}` : `${vm.name}: start sent to ${placed.hostName}`,
      data: { generation: vm.generation, attempt: o.attempt },
    });
  }

  /** No host for the VM now: pending, nothing held, HA_REBUILD_FAILED says why (when `alert`). */
  async markPending(
    tx: Tx,
    s: Scope,
    snap: ClusterSnapshot,
    vmId: string,
    reasons: string[],
    o: { incidentId: string | null; failedHostId: string | null; alert: boolean; stopOn?: string | null; stopReason?: TStopReason },
  ): Promise<void> {
    const at = this.at();
    const sv = snap.vms.find((v) => v.id === vmId);
    const before = await tx.vm.findUniqueOrThrow({ where: { id: vmId } });
    this.track(o.incidentId, vmId);
    if (o.stopOn) {
      await this.createCommand(tx, s, { hostId: o.stopOn, vmId, kind: "stop-vm", generation: before.generation, payload: { vmName: before.name, reason: o.stopReason ?? "network-fault", incidentId: o.incidentId } });
      this.stopsSent.set(`${o.stopOn}|${vmId}|${before.generation}`, at.getTime());
    }
    await tx.deviceAllocation.deleteMany({ where: { vmId } });
    await tx.storageSession.deleteMany({ where: { vmId } });
    const vm = await tx.vm.update({ where: { id: vmId }, data: { power: "pending", hostId: null, desiredPower: "on", powerSince: at } });
    if (sv) {
      sv.hostId = null;
      sv.allocations = [];
      sv.power = "pending";
    }
    await s.sink.record(tx, {
      at,
      kind: "vm-unplaceable",
      vmId,
      hostId: o.failedHostId,
      incidentId: o.incidentId,
      message: `${vm.name} has no host to run on; it waits and is retried when capacity changes: ${reasons.slice(0, 3).join("; ")}`,
      data: { reasons },
    });
    if (o.alert) {
      await this.alerts.raise(tx, {
        kind: "HA_REBUILD_FAILED",
        entity: { type: "vm", id: vmId, name: vm.name },
        at,
        hostId: o.failedHostId,
        incidentId: o.incidentId,
        message: this.rebuildFailedMessage(vm.name, reasons),
      });
    }
  }

  async markStopped(tx: Tx, s: Scope, snap: ClusterSnapshot, vmId: string, reason: string, incidentId: string | null, stopOn: string | null = null): Promise<void> {
    const at = this.at();
    this.settle(vmId);
    const before = await tx.vm.findUniqueOrThrow({ where: { id: vmId } });
    if (stopOn) {
      await this.createCommand(tx, s, { hostId: stopOn, vmId, kind: "stop-vm", generation: before.generation, payload: { vmName: before.name, reason: "network-fault", incidentId } });
      this.stopsSent.set(`${stopOn}|${vmId}|${before.generation}`, at.getTime());
    }
    await tx.deviceAllocation.deleteMany({ where: { vmId } });
    await tx.storageSession.deleteMany({ where: { vmId } });
    await tx.vm.update({ where: { id: vmId }, data: { power: "stopped", hostId: null, desiredPower: "off", powerSince: at } });
    const sv = snap.vms.find((v) => v.id === vmId);
    if (sv) {
      sv.hostId = null;
      sv.allocations = [];
      sv.power = "stopped";
    }
    await s.sink.record(tx, {
      at,
      kind: "vm-not-restarted",
      vmId,
      hostId: before.hostId,
      incidentId,
      message: `${before.name} is not restarted: ${reason}`,
      data: { reason },
    });
  }

  // ------------------------------------------------------------------ evaluation (alerts, storage paths)

  private async evaluate(): Promise<void> {
    const snap = await this.snapshot();
    const at = this.at();
    await this.syncStorageSessions(snap, at);
    // VM_HA_INELIGIBLE for VMs meant to run with HA on.
    const vmById = new Map(snap.vms.map((v) => [v.id, v]));
    const live = (v: SnapshotVm) => ["running", "starting", "pending", "migrating"].includes(v.power);
    for (const e of haEligibility(snap)) {
      await this.breathe();
      const vm = vmById.get(e.vmId)!;
      const entity = { type: "vm" as const, id: vm.id, name: vm.name };
      const want = this.haMode !== "disabled" && vm.haPriority !== "off" && live(vm) && !e.eligible;
      if (want) {
        await this.alerts.raise(this.db, {
          kind: "VM_HA_INELIGIBLE",
          entity,
          at,
          hostId: vm.hostId ?? null,
          message: `${vm.name} is not HA-eligible: ${e.reasons.join("; ")}`,
        });
      } else await this.alerts.clear(this.db, "VM_HA_INELIGIBLE", entity, at);
    }
    const clusterEntity = { type: "cluster" as const, id: this.clusterId, name: "cluster" };
    if (this.haMode === "guarantee") {
      const g = assessGuarantee(snap);
      if (g.toleratedFailures < g.faultTolerance) {
        const why = g.unabsorbable
          .slice(0, 3)
          .map((u) => `${u.hostIds.map((h) => this.hostName(h) ?? h).join("+")}: ${u.reasons.slice(0, 2).join("; ")}`)
          .join(" | ");
        await this.alerts.raise(this.db, {
          kind: "HA_CAPACITY_INSUFFICIENT",
          entity: clusterEntity,
          at,
          message: `The cluster absorbs ${g.toleratedFailures} host failure(s), its fault tolerance is ${g.faultTolerance}${why ? `: ${why}` : ""}`,
        });
      } else await this.alerts.clear(this.db, "HA_CAPACITY_INSUFFICIENT", clusterEntity, at);
    } else await this.alerts.clear(this.db, "HA_CAPACITY_INSUFFICIENT", clusterEntity, at);
  }

  /** Every storage session row (in pages, with a turn for the event loop between them, when pacing). */
  private async storageSessionRows(): Promise<{ vmId: string; diskIndex: number; session: number; controllerHostId: string }[]> {
    const select = { id: true, vmId: true, diskIndex: true, session: true, controllerHostId: true } as const;
    if (!this.pacer) return this.db.storageSession.findMany({ select });
    const out: { id: string; vmId: string; diskIndex: number; session: number; controllerHostId: string }[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.db.storageSession.findMany({ select, where: cursor ? { id: { gt: cursor } } : {}, orderBy: { id: "asc" }, take: 2000 });
      out.push(...page);
      if (page.length < 2000) return out;
      cursor = page[page.length - 1].id;
      await this.pacer.pause();
    }
  }

  private async syncStorageSessions(snap: ClusterSnapshot, at: Date): Promise<void> {
    // Only VMs on reachable hosts: a host that is down takes its VMs' sessions with it (they are
    // planned anew where the VMs are rebuilt), so no redirection is raised for it.
    const reachableHosts = new Set(snap.hosts.filter((h) => h.state === "online" || h.state === "maintenance").map((h) => h.id));
    const vmOnReachable = new Set(snap.vms.filter((v) => v.hostId && reachableHosts.has(v.hostId)).map((v) => v.id));
    const plans = planStorageSessions(snap).filter((p) => vmOnReachable.has(p.vmId));
    const rows = (await this.storageSessionRows()).filter(
      (r) => vmOnReachable.has(r.vmId) || !snap.vms.some((v) => v.id === r.vmId && v.hostId),
    );
    const key = (x: { vmId: string; diskIndex: number; session: number }) => `${x.vmId}|${x.diskIndex}|${x.session}`;
    const have = new Map(rows.map((r) => [key(r), r.controllerHostId]));
    const want = new Map(plans.map((p) => [key(p), p]));
    const changedVms = new Set<string>();
    for (const p of plans) if (have.get(key(p)) !== p.controllerHostId) changedVms.add(p.vmId);
    for (const r of rows) if (!want.has(key(r))) changedVms.add(r.vmId);
    const redirectedHosts = new Set<string>();
    const vmById = new Map(snap.vms.map((v) => [v.id, v]));
    for (const p of plans) if (p.redirected) redirectedHosts.add(vmById.get(p.vmId)?.hostId ?? "");
    if (changedVms.size) {
      await this.tx(async (tx, s) => {
        for (const vmId of changedVms) {
          const mine = plans.filter((p) => p.vmId === vmId);
          const wasRemote = rows.some((r) => r.vmId === vmId && r.controllerHostId !== vmById.get(vmId)?.hostId);
          await tx.storageSession.deleteMany({ where: { vmId } });
          if (mine.length) await tx.storageSession.createMany({ data: mine.map((p) => ({ vmId, diskIndex: p.diskIndex, session: p.session, controllerHostId: p.controllerHostId })) });
          const vm = vmById.get(vmId);
          if (!vm || !mine.length) continue;
          const redirected = mine.filter((p) => p.redirected);
          const wasRedirected = this.redirectedVms.has(vmId);
          if (redirected.length) this.redirectedVms.add(vmId);
          else this.redirectedVms.delete(vmId);
          if (redirected.length) {
            await s.sink.record(tx, {
              at,
              kind: "storage-redirected",
              vmId,
              hostId: vm.hostId,
              message: `${vm.name}: ${redirected.length} disk session(s) redirected: ${redirected[0].reason ?? ""}`,
              data: { sessions: redirected.map((p) => ({ disk: p.diskIndex, session: p.session, controller: this.hostName(p.controllerHostId) })) },
            });
          } else if (wasRedirected || wasRemote) {
            await s.sink.record(tx, {
              at,
              kind: wasRedirected ? "storage-failed-back" : "storage-sessions-moved",
              vmId,
              hostId: vm.hostId,
              message: wasRedirected
                ? `${vm.name}: disk sessions failed back to the local controller of ${this.hostName(vm.hostId)}`
                : `${vm.name}: disk sessions follow it to the controller of ${this.hostName(vm.hostId)}`,
            });
          }
        }
      });
    }
    for (const h of this.hosts.values()) {
      const entity = { type: "host" as const, id: h.id, name: h.name };
      if (redirectedHosts.has(h.id)) {
        const n = plans.filter((p) => p.redirected && vmById.get(p.vmId)?.hostId === h.id).length;
        await this.alerts.raise(this.db, {
          kind: "STORAGE_PATH_REDIRECTED",
          entity,
          at,
          message: `${n} disk session(s) of VMs on ${h.name} use a remote storage controller`,
        });
      } else await this.alerts.clear(this.db, "STORAGE_PATH_REDIRECTED", entity, at);
    }
  }

  // ------------------------------------------------------------------ used by services (vm-power, maintenance)

  /** Internal: service functions run their transaction with the controller's scope. */
  async runTx<T>(fn: (tx: Tx, s: Scope) => Promise<T>): Promise<T> {
    return this.tx(fn);
  }

  async createCommandIn(tx: Tx, s: Scope, c: Parameters<HaController["createCommand"]>[2]): Promise<string> {
    return this.createCommand(tx, s, c);
  }

  markHostState(hostId: string, state: HostState): void {
    const h = this.hosts.get(hostId);
    if (h) {
      h.state = state;
      h.since = this.clock.now();
      if (state === "online") h.reportDirty = true;
    }
    this.capacityChanged = true;
    this.evalNeeded = true;
  }

  raiseAlert(tx: Tx, kind: AlertKind, a: Omit<Parameters<AlertBook["raise"]>[1], "kind">) {
    return this.alerts.raise(tx, { ...a, kind });
  }
}

export type { Scope as HaScope, EventInput, IncidentKind };
export { ACTIVE_POWER };

// ------------------------------------------------------------------ one controller per process

const g = globalThis as unknown as { __havenHa?: { controller: HaController; timer: ReturnType<typeof setInterval> | null } };

/**
 * Starts THE controller of this process (a second call returns the running one). With
 * `intervalMs` it steps itself on a timer (the server); without, the caller steps it.
 */
export function startController(deps: HaDeps, opts: { intervalMs?: number } = {}): HaController {
  if (g.__havenHa) return g.__havenHa.controller;
  const controller = new HaController(deps);
  let timer: ReturnType<typeof setInterval> | null = null;
  if (opts.intervalMs) {
    let running = false;
    timer = setInterval(() => {
      if (running) return;
      running = true;
      controller
        .step()
        .catch((err) => controller.log.error({ err }, "HA controller step failed"))
        .finally(() => {
          running = false;
        });
    }, opts.intervalMs);
    (timer as { unref?: () => void }).unref?.();
  }
  g.__havenHa = { controller, timer };
  return controller;
}

/** The running controller of this process, if any. */
export function getController(): HaController | null {
  return g.__havenHa?.controller ?? null;
}

export function stopController(): void {
  if (g.__havenHa?.timer) clearInterval(g.__havenHa.timer);
  g.__havenHa = undefined;
}
