import "server-only";
// The failure detector's memory side: heartbeats (liveness and the agent's report, in memory;
// rate-limited per host), command fetches (which heartbeat the console had when an agent fetched
// its commands), the detector's own lag (stalls are never counted against a host), and
// lastHeartbeatAt written in groups every 10 s. The state machine itself is the engine's pure
// nextHostState (lib/engine/liveness.ts); detectorView gives it the detector's observation.
import type { DetectorView } from "@/lib/engine";
import type { THeartbeat } from "@/lib/schemas/agent";
import { HttpError } from "@/lib/server/http/problem";
import { chunked, COMMAND_POLL_FALLBACK_MS, HEARTBEAT_LIMIT, HEARTBEAT_PERSIST_MS, type DetectorLag, type HaContext, type HostMem } from "./context";

/** A heartbeat refused because its host sends them far more often than its interval (429). */
export class RateLimitedError extends HttpError {
  readonly code = "RATE_LIMITED";
  constructor(message: string) {
    super(429, message);
    this.name = "RateLimitedError";
  }
}

/**
 * A heartbeat: liveness and the agent's report, in memory. Returns whether commands wait.
 * Throws a RateLimitedError (429) when the host heartbeats far more often than its interval.
 */
export function noteHeartbeat(ctx: HaContext, hb: THeartbeat): { known: boolean; commandsPending: boolean } {
  const now = ctx.clock.now();
  observe(ctx, now, "heartbeat");
  const h = ctx.hosts.get(hb.hostId);
  if (!h) {
    ctx.lastResync = 0;
    return { known: false, commandsPending: false };
  }
  takeHeartbeatToken(ctx, h, now);
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
  return { known: true, commandsPending: ctx.commandHints.has(h.id) };
}

/** Per-host token bucket: `burst` heartbeats at once, `perInterval` per heartbeat interval after that. */
function takeHeartbeatToken(ctx: HaContext, h: HostMem, now: number): void {
  const lim = ctx.deps.heartbeatLimit ?? (process.env.HAVEN_HEARTBEAT_RATE_LIMIT === "off" ? false : HEARTBEAT_LIMIT);
  if (!lim) return;
  const b = ctx.hbBuckets.get(h.id) ?? { tokens: lim.burst, at: now, warnedAt: -Infinity };
  b.tokens = Math.min(lim.burst, b.tokens + (Math.max(0, now - b.at) * lim.perInterval) / Math.max(1, ctx.timing.heartbeatMs));
  b.at = now;
  ctx.hbBuckets.set(h.id, b);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return;
  }
  if (now - b.warnedAt >= 60_000) {
    b.warnedAt = now;
    ctx.log.warn({ hostId: h.id, host: h.name, heartbeatS: ctx.timing.heartbeatMs / 1000, perInterval: lim.perInterval }, "heartbeats refused: the host sends them far more often than its interval");
  }
  throw new RateLimitedError(
    `${h.name} sends heartbeats far more often than every ${ctx.timing.heartbeatMs / 1000}s (at most ${lim.perInterval} per interval after a burst of ${lim.burst}); slow down`,
  );
}

/** Whether fetching commands for a host should hit the store now. */
export function shouldFetchCommands(ctx: HaContext, hostId: string): boolean {
  if (ctx.commandHints.has(hostId)) return true;
  const last = ctx.lastCommandPoll.get(hostId) ?? 0;
  return ctx.clock.now() - last >= (ctx.deps.commandPollFallbackMs ?? COMMAND_POLL_FALLBACK_MS);
}

/**
 * The agent is fetching its commands (called before they are read and marked sent): remember
 * which of its heartbeats the console had then, so that only a later report can fail a start.
 */
export function noteCommandsFetched(ctx: HaContext, hostId: string): void {
  const now = ctx.clock.now();
  ctx.commandHints.delete(hostId);
  ctx.lastCommandPoll.set(hostId, now);
  const h = ctx.hosts.get(hostId);
  if (!h) return;
  h.fetches.push({ at: now, run: h.hbRun, seq: h.hbSeq });
  h.recheckStarts = true; // its next reports are checked even if they look the same
  const keep = now - ctx.timing.vmStartMs - 120_000;
  while (h.fetches.length > 64 || (h.fetches.length > 1 && h.fetches[0].at < keep)) h.fetches.shift();
}

/**
 * The detector observes (a step starts, a heartbeat is processed). A gap longer than one
 * heartbeat interval since the last observation is a stall of the detector itself (its event
 * loop or its step was blocked): that time is never counted against a host, and no host is
 * declared unreachable or failed until one heartbeat interval after it (the backlog of
 * heartbeats sent meanwhile is read first).
 */
export function observe(ctx: HaContext, now: number, via: "step" | "heartbeat"): void {
  const gap = Math.max(0, now - ctx.lastObserved);
  if (via === "step") ctx.lag.lastMs = gap;
  if (gap > ctx.lag.maxMs) ctx.lag.maxMs = gap;
  if (ctx.loaded && gap > ctx.timing.heartbeatMs) {
    const from = ctx.lastObserved;
    ctx.stalls.push({ from, to: now });
    const horizon = now - Math.max(600_000, 4 * (ctx.timing.missed * ctx.timing.heartbeatMs + ctx.timing.failureTimeoutMs));
    while (ctx.stalls.length > 1000 || (ctx.stalls.length && ctx.stalls[0].to < horizon)) ctx.stalls.shift();
    ctx.graceUntil = Math.max(ctx.graceUntil, now + ctx.timing.heartbeatMs);
    ctx.lag.stalls++;
    ctx.lag.unobservedMs += gap;
    ctx.lag.lastStall = { at: now, ms: gap };
    ctx.log.warn(
      { stallMs: gap, from: new Date(from).toISOString(), via, graceUntil: new Date(ctx.graceUntil).toISOString(), hosts: ctx.hosts.size },
      `the HA failure detector observed nothing for ${gap} ms (its process or step stalled): that time is not counted against any host`,
    );
  }
  if (now > ctx.lastObserved) ctx.lastObserved = now;
}

/** The detector's measured lag (ms): the last and longest gaps between observations, its stalls. */
export function detectorLag(ctx: HaContext): DetectorLag {
  return { ...ctx.lag, lastStall: ctx.lag.lastStall ? { ...ctx.lag.lastStall } : null };
}

/** A command row was written by someone else (a service outside the controller). */
export function notifyCommand(ctx: HaContext, hostId: string): void {
  ctx.commandHints.add(hostId);
}

/**
 * Writes lastHeartbeatAt (to the second) for hosts heard from since the last write, every 10 s
 * (or now with `force`), grouped so one statement covers every host heard in the same second.
 */
export async function persistHeartbeats(ctx: HaContext, force: boolean): Promise<void> {
  const now = ctx.clock.now();
  if (!force && now - ctx.lastHbFlush < HEARTBEAT_PERSIST_MS) return;
  ctx.lastHbFlush = now;
  const groups = new Map<number, HostMem[]>();
  for (const h of ctx.hosts.values()) {
    const sec = Math.floor(h.heard / 1000) * 1000;
    if (h.heard === 0 || sec <= h.lastHbPersisted) continue;
    const g = groups.get(sec) ?? [];
    g.push(h);
    groups.set(sec, g);
  }
  for (const [sec, hs] of groups) {
    for (const part of chunked(hs)) {
      await ctx.db.host.updateMany({ where: { id: { in: part.map((h) => h.id) } }, data: { lastHeartbeatAt: new Date(sec) } });
      for (const h of part) h.lastHbPersisted = sec;
    }
  }
}

/**
 * What the detector knows of its own observation, for the engine's nextHostState: taken once per
 * step (its grace as of the step's start, its stalls as they are recorded, the event loop's lag).
 */
export function detectorView(ctx: HaContext): DetectorView {
  return { startedAt: ctx.startedAt, graceUntil: ctx.graceUntil, stalls: ctx.stalls, extraWindowMs: ctx.loopLag?.recentMaxMs() ?? 0 };
}
