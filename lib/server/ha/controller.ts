import "server-only";
// The HA controller: failure detector → host state machine → planner (the engine) → executor
// (store + agent commands), one room per role:
//
//   context.ts        db, clock, log, alerts, timing, the host map, the one transaction helper
//   liveness.ts       heartbeats and command fetches in memory, the detector's own lag
//   host-states.ts    unreachable / failed / back, network-fault countdown and trigger, host confirmed off
//   reconcile.ts      agent reports: NIC links, storage controller, VMs (crashes, stale copies, lost starts)
//   acks.ts           agent acknowledgements: running, start failures, stops, live migrations
//   restart-policy.ts restarts in place, relocations, giving up (error)
//   failover.ts       runFailover(failedHostIds), pending retries, relocations, long maintenance
//   executor.ts       the only writer of placement, power and command rows
//   incidents.ts      which VMs of an incident are on their way; closing it
//   evaluate.ts       storage paths and the HA alerts that need a whole snapshot
//   devices.ts        failed GPUs and NICs
//   resume.ts         restart safety: load and resync from the store
//   instance.ts       the process's controller and its step loop
//
// - Liveness (last heartbeat per host) lives in memory; host state changes are persisted, and
//   lastHeartbeatAt is written every HEARTBEAT_PERSIST_MS, never once per heartbeat.
// - Every decision is written in one transaction BEFORE it is acted on (the agent command is a
//   row of that transaction). A new controller on the same store resumes from the rows: host
//   states and since, VMs still on failed hosts, pending VMs, commands, open incidents. Its
//   in-memory liveness starts fresh: every host gets one missed-heartbeat window of grace.
// - No placement rule lives here: placements, failover plans, local restarts, evacuations,
//   eligibility, guarantee assessment and storage paths all come from lib/engine.
import type { PrismaClient } from "@prisma/client";
import { nextHostState, type ClusterSnapshot, type DeviceAllocation, type HostState } from "@/lib/engine";
import type { TCommandAck, THeartbeat } from "@/lib/schemas/agent";
import type { AlertBook } from "./alerts";
import type { Clock } from "./clock";
import type { Logger } from "./log";
import { HaContext, PENDING_BACKOFF_MAX_MS, PENDING_BACKOFF_MIN_MS, type CommandRow, type DetectorLag, type HaDeps, type Scope, type Timing, type Tx } from "./context";
import { detectorLag, detectorView, noteCommandsFetched, noteHeartbeat, notifyCommand, observe, persistHeartbeats, shouldFetchCommands } from "./liveness";
import { confirmPoweredOffLocked, markHostState, transitionHost, triggerNetworkFault } from "./host-states";
import { reconcileReport } from "./reconcile";
import { applyAck } from "./acks";
import { rebuildAfterLongMaintenance, retryPending, retryVmLocked, runFailover } from "./failover";
import { deviceLabel } from "./executor";
import { evaluate } from "./evaluate";
import { setDeviceHealthLocked } from "./devices";
import { load, resyncIfDue } from "./resume";
import { runFailback } from "./failback";
import { registerController } from "./instance";

export {
  HEARTBEAT_PERSIST_MS,
  UNKNOWN_VMS_LISTED,
  UNKNOWN_VMS_EVENT_MIN_MS,
  HEARTBEAT_LIMIT,
  PENDING_BACKOFF_MIN_MS,
  PENDING_BACKOFF_MAX_MS,
  IN_CHUNK,
  chunked,
  ACTIVE_POWER,
  type DetectorLag,
  type HaDeps,
  type Timing,
  type StartPurpose,
  type Scope as HaScope,
} from "./context";
export { RateLimitedError } from "./liveness";
export type { EventInput, IncidentKind } from "./journal";
export { getController, stopController, startStepLoop } from "./instance";

/** The controller's public face: the lock, one step, and what agents, services and pages ask of it. */
export class HaController {
  /** @internal The state every room shares (services write through executor.ts with it). */
  readonly ctx: HaContext;

  constructor(deps: HaDeps) {
    this.ctx = new HaContext(deps);
  }

  get db(): PrismaClient {
    return this.ctx.db;
  }
  get clock(): Clock {
    return this.ctx.clock;
  }
  get log(): Logger {
    return this.ctx.log;
  }
  get alerts(): AlertBook {
    return this.ctx.alerts;
  }
  /** The cluster's timing, HA mode and fault tolerance (read at start; settings.ts hands a saved change over). */
  get timing(): Timing {
    return this.ctx.timing;
  }
  set timing(t: Timing) {
    this.ctx.timing = t;
  }
  get clusterId(): string {
    return this.ctx.clusterId;
  }
  set clusterId(id: string) {
    this.ctx.clusterId = id;
  }
  get haMode(): string {
    return this.ctx.haMode;
  }
  set haMode(m: string) {
    this.ctx.haMode = m;
  }
  get faultTolerance(): number {
    return this.ctx.faultTolerance;
  }
  set faultTolerance(n: number) {
    this.ctx.faultTolerance = n;
  }
  /** Bumped on every committed transaction (the runner checks store invariants when it moves). */
  get changes(): number {
    return this.ctx.changes;
  }

  /** Device label for reports and commands: "h2/ens1f0/vf0", "h3/h3-gpu0/slot1", "h1/h1-gpu0". */
  static deviceLabel(snap: ClusterSnapshot, a: DeviceAllocation): string {
    return deviceLabel(snap, a);
  }

  // ------------------------------------------------------------------ lifecycle and the lock

  /** Loads the store's state (idempotent). Liveness starts now: a grace of one missed window. */
  async start(): Promise<void> {
    await this.ctx.lock.run(() => load(this.ctx));
  }

  /** Run a service operation under the controller's lock (power on/off, maintenance). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.ctx.lock.run(async () => {
      await load(this.ctx);
      return fn();
    });
  }

  // ------------------------------------------------------------------ the loop

  /** A saved change of the cluster's restart policy and maintenance rebuild delay, taken at once (lib/server/settings.ts). */
  setPolicy(p: HaContext["policy"]): void {
    this.ctx.policy = { ...p };
  }

  /**
   * Run (synchronously) right before each detection: the agent listener's thread hands over the
   * heartbeats it has answered but this thread has not taken yet, so no host is judged silent
   * while its heartbeat waits in a queue.
   */
  readonly beforeDetect: (() => void)[] = [];

  /** One controller step. Safe to call often: it costs no store access when nothing changed. */
  async step(): Promise<void> {
    await this.ctx.lock.run(async () => {
      await load(this.ctx);
      await this.stepInner();
    });
  }

  /** detect → transition → plan → execute, then the evaluation and failback. */
  private async stepInner(): Promise<void> {
    const ctx = this.ctx;
    const now = ctx.clock.now();
    observe(ctx, now, "step");
    await resyncIfDue(ctx, now);
    // Detect and transition: silences and countdowns count only time the detector observed (its
    // own stalls are taken out), nothing is declared within one heartbeat interval after a stall,
    // and the silence window grows by the event loop's recent delay (0 on a virtual clock).
    for (const fn of this.beforeDetect) fn();
    const view = detectorView(ctx);
    for (const h of [...ctx.hosts.values()]) await ctx.forHost(h, () => transitionHost(ctx, h, nextHostState(h, ctx.timing, now, view).state));
    for (const h of [...ctx.hosts.values()]) {
      if (h.reportDirty && (h.state === "online" || h.state === "maintenance")) {
        h.reportDirty = false;
        await ctx.forHost(h, () => reconcileReport(ctx, h));
      }
    }
    for (const h of [...ctx.hosts.values()]) {
      if (nextHostState(h, ctx.timing, now, view).networkFault) await ctx.forHost(h, () => triggerNetworkFault(ctx, h));
    }
    // Plan and execute: the hosts detection handed over, then pending VMs.
    const failed = ctx.failoverDueHostIds();
    if (failed.length) await runFailover(ctx, failed);
    if (ctx.capacityChanged) {
      ctx.capacityChanged = false;
      ctx.pendingBackoffMs = PENDING_BACKOFF_MIN_MS;
      ctx.nextPendingRetry = now + ctx.pendingBackoffMs;
      await retryPending(ctx);
    } else if (now >= ctx.nextPendingRetry) {
      // No capacity change seen: pending VMs are tried again with a backoff (a start failure
      // elsewhere, a stop acknowledged late), not only on the resync.
      ctx.nextPendingRetry = now + ctx.pendingBackoffMs;
      ctx.pendingBackoffMs = Math.min(PENDING_BACKOFF_MAX_MS, ctx.pendingBackoffMs * 2);
      if ((await ctx.db.vm.count({ where: { power: "pending" } })) > 0) await retryPending(ctx);
      else ctx.pendingBackoffMs = PENDING_BACKOFF_MIN_MS;
    }
    if (ctx.policy.maintenanceRebuildAfterMs !== null && now - ctx.lastMaintenanceCheck >= 1000) {
      ctx.lastMaintenanceCheck = now;
      await rebuildAfterLongMaintenance(ctx, now);
    }
    if (ctx.evalNeeded && (!ctx.evalCadence || ctx.evalCadence.due())) {
      ctx.evalNeeded = false;
      if (ctx.evalCadence) await ctx.evalCadence.run(() => evaluate(ctx));
      else await evaluate(ctx);
    }
    await persistHeartbeats(ctx, false);
    await runFailback(this); // failback (issue 10): guarded inside by the cluster's/groups' failback setting, paced
  }

  /**
   * Writes lastHeartbeatAt (to the second) for hosts heard from since the last write, every 10 s
   * (or now with `force`), grouped so one statement covers every host heard in the same second.
   */
  persistHeartbeats(force: boolean): Promise<void> {
    return persistHeartbeats(this.ctx, force);
  }

  // ------------------------------------------------------------------ agent-facing (no lock)

  /**
   * A heartbeat: liveness and the agent's report, in memory. Returns whether commands wait.
   * Throws a RateLimitedError (429) when the host heartbeats far more often than its interval.
   */
  noteHeartbeat(hb: THeartbeat): { known: boolean; commandsPending: boolean } {
    return noteHeartbeat(this.ctx, hb);
  }

  /** Whether fetching commands for a host should hit the store now. */
  shouldFetchCommands(hostId: string): boolean {
    return shouldFetchCommands(this.ctx, hostId);
  }

  /** The agent is fetching its commands (called before they are read and marked sent). */
  noteCommandsFetched(hostId: string): void {
    noteCommandsFetched(this.ctx, hostId);
  }

  /** A command row was written by someone else (a service outside the controller). */
  notifyCommand(hostId: string): void {
    notifyCommand(this.ctx, hostId);
  }

  /** An agent acknowledged a command (the service has recorded the ack on the row). */
  async onCommandAck(cmdId: string, ack: TCommandAck, row?: CommandRow | null): Promise<void> {
    await this.ctx.lock.run(async () => {
      await load(this.ctx);
      await applyAck(this.ctx, cmdId, ack, row);
    });
  }

  /** The detector's measured lag (ms): the last and longest gaps between observations, its stalls. */
  detectorLag(): DetectorLag {
    return detectorLag(this.ctx);
  }

  // ------------------------------------------------------------------ services and pages

  /** Something changed outside the controller (inventory edits): re-read and re-evaluate soon. */
  notifyChanged(what?: { capacity?: boolean; inventory?: boolean }): void {
    this.ctx.notifyChanged(what);
  }

  hostName(id: string | null | undefined): string | null {
    return this.ctx.hostName(id);
  }

  /** Hosts whose VMs were taken away by network-fault HA: not offered to placements. */
  unavailableHostIds(): string[] {
    return this.ctx.unavailableHostIds();
  }

  snapshot(): Promise<ClusterSnapshot> {
    return this.ctx.snapshot();
  }

  /** Failed devices (controller memory): host, GPU or NIC, its name. */
  failedDeviceList(): { hostId: string; kind: "gpu" | "nic"; id: string; name: string }[] {
    return [...this.ctx.failedDevices.values()];
  }

  /** A service changed a host's state (maintenance): the host map follows. */
  markHostState(hostId: string, state: HostState): void {
    markHostState(this.ctx, hostId, state);
  }

  /** An admin retries a VM in `error` (its restart policy starts afresh). Call under the lock. */
  retryVmLocked(vmId: string, by?: string): Promise<{ vmId: string; power: string }> {
    return retryVmLocked(this.ctx, vmId, by);
  }

  /** An admin states that a silent host is powered off. Call under the lock; the caller audits it. */
  confirmPoweredOffLocked(hostId: string, by?: string): Promise<{ hostId: string; host: string; vms: string[] }> {
    return confirmPoweredOffLocked(this.ctx, hostId, by);
  }

  /** A device failed (or is healthy again). Call under the lock. */
  setDeviceHealthLocked(hostId: string, device: string, healthy: boolean): Promise<{ device: string; affected: string[] }> {
    return setDeviceHealthLocked(this.ctx, hostId, device, healthy);
  }

  /** Internal: a service function runs its transaction with the controller's scope. */
  runTx<T>(fn: (tx: Tx, s: Scope) => Promise<T>): Promise<T> {
    return this.ctx.tx(fn);
  }
}

/**
 * Starts THE controller of this process (a second call returns the running one). With
 * `intervalMs` it steps itself on a timer (instance.ts's step loop); without, the caller steps it.
 */
export function startController(deps: HaDeps, opts: { intervalMs?: number } = {}): HaController {
  return registerController(() => new HaController(deps), opts);
}
