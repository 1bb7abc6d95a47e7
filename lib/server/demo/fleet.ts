import "server-only";
// The demo cluster's simulated agents: one SimAgent per host of the demo cluster (up to
// HAVEN_DEMO_MAX_HOSTS), on the wall clock, speaking the agent protocol through the same service
// functions as the HTTP routes (inProcessTransport). They adopt the VMs the store says run on
// them, heartbeat every `heartbeat` seconds, boot VMs `vmStart` after a start command, and take
// injected faults (lib/server/demo/faults.ts). Agents register staggered over the first
// heartbeat interval, so a large fleet's heartbeats do not all land in the same millisecond.
//
// The fleet drives only hosts of a demo cluster (Cluster.demo, lib/server/demo/mode.ts) that no
// real agent owns: never a host an admin issued a token for or a real agent registered
// (Host.agentClaimedAt, kept across restarts). It takes a host with a token issued through
// lib/server/agent/tokens.ts (which marks the host simulated), registers with it like a real
// agent (authenticated, the body naming the token's host) and steps aside for good when the
// token stops working.
import type { PrismaClient } from "@prisma/client";
import { HOST_RUNNING_VM_SELECT, hostRunningVm, issueSimulatedAgentTokens } from "@/lib/server/agent/tokens";
import { authenticateAgent } from "@/lib/server/agent/service";
import { registerAuthenticated } from "@/lib/server/http/agent-ops";
import { AppError, isAppError } from "@/lib/server/errors";
import type { HaController } from "@/lib/server/ha/controller";
import type { Logger } from "@/lib/server/ha/log";
import { SimFleet } from "@/lib/sim/fleet";
import type { SimAgent, SimObserver } from "@/lib/sim/agent";
import { inProcessTransport } from "@/lib/sim/in-process-transport";
import { httpTransport } from "@/lib/sim/http-transport";
import { isDemoModeFor, setProcessDemoMode } from "./mode";

const RUNNING_POWER = ["running", "stopping", "migrating"];
/** How often the fleet looks for hosts added or removed (a count first; the full list when it moved, or every FULL_RESYNC_MS). */
const RESYNC_MS = 2_000;
const FULL_RESYNC_MS = 30_000;
const COMMAND_POLL_MS = 60_000;

export interface DemoFleet {
  readonly fleet: SimFleet;
  readonly db: PrismaClient;
  /** The HA controller the agents talk to in process (none when they talk HTTP from a thread). */
  readonly controller: HaController | null;
  /** Host id → host name, for the hosts simulated. */
  readonly hostNames: Map<string, string>;
  /** Host names whose agent stopped because a real agent owns the host now (an admin issued it a token). */
  readonly retired: Set<string>;
  /** Whether the store was in demo mode when the fleet started (without it the fleet simulates nothing). */
  readonly demo: boolean;
  agentFor(hostIdOrName: string): SimAgent | undefined;
  /** One round: every agent's due work, then command polls. */
  tickOnce(now?: number): Promise<void>;
  stop(): void;
}

const g = globalThis as unknown as { __havenDemoFleet?: DemoFleet };

export function getDemoFleet(): DemoFleet | null {
  return g.__havenDemoFleet ?? null;
}

export interface DemoFleetOptions {
  maxHosts: number;
  /** Tick period (ms); 0: no timer, the caller ticks (tests). Default 250 (500 above 200 hosts). */
  tickMs?: number;
  log: Logger;
  now?: () => number;
}

/**
 * Starts THE demo fleet of this process (a second call returns the running one). The store
 * decides (isDemoModeFor): on a store without the demo the fleet simulates nothing, and the
 * process's isDemoMode() answers false from then on.
 */
export async function startDemoFleet(controller: HaController, opts: DemoFleetOptions): Promise<DemoFleet> {
  if (g.__havenDemoFleet) return g.__havenDemoFleet;
  const handle = await createDemoFleet({ db: controller.db, timing: controller.timing, clusterId: controller.clusterId, controller }, opts);
  setProcessDemoMode(handle.demo);
  const stop = handle.stop;
  handle.stop = () => {
    stop();
    if (g.__havenDemoFleet === handle) {
      g.__havenDemoFleet = undefined;
      setProcessDemoMode(undefined);
    }
  };
  g.__havenDemoFleet = handle;
  return handle;
}

/** What the fleet needs from where it runs: the store, the timings, the cluster, and how its agents talk. */
export interface DemoFleetEnv {
  db: PrismaClient;
  timing: { heartbeatMs: number; isolationTimeoutMs: number; vmStartMs: number };
  clusterId: string | null | undefined;
  /** In process: the agents call the service functions of this controller directly. */
  controller?: HaController;
  /** Else over HTTP: the agent listener's base URL (lib/server/demo/fleet-thread.ts). */
  agentUrl?: string;
}

/** A demo fleet (not registered as this process's): in process with `env.controller`, else over HTTP to `env.agentUrl`. */
export async function createDemoFleet(env: DemoFleetEnv, opts: DemoFleetOptions): Promise<DemoFleet & { stop(): void }> {
  const { db, controller } = env;
  const now = opts.now ?? (() => Date.now());
  const log = opts.log;
  const t = env.timing;
  const demo = await isDemoModeFor(db);
  const observer: SimObserver = {
    vmStarted: (vm, host) => log.debug({ vm: vm.name, host }, "demo: VM running"),
    vmStopped: (vm, host, cause) => log.debug({ vm: vm.name, host, cause }, "demo: VM stopped"),
  };
  // In process the controller's "commands pending" hint is never lost, so an agent asks for
  // commands only when its last heartbeat said some wait (or once a minute): at 1,000 hosts
  // that spares the store ~100 command queries a second.
  /** Host name → its agent's current token: the simulated one issued, then the registration's. */
  const tokens = new Map<string, string>();
  if (!controller && !env.agentUrl) throw new Error("a demo fleet needs a controller in process or an agent listener URL");
  const base = controller ? inProcessTransport({ db, controller }) : httpTransport({ url: env.agentUrl!, tokens });
  const pendingByToken = new Map<string, { pending: boolean; lastFetch: number }>();
  const transport: typeof base = {
    ...base,
    async heartbeat(token, hb) {
      const r = await base.heartbeat(token, hb);
      const cur = pendingByToken.get(token);
      if (cur) cur.pending ||= r.commandsPending;
      else pendingByToken.set(token, { pending: r.commandsPending, lastFetch: now() });
      return r;
    },
    async fetchCommands(token) {
      const cur = pendingByToken.get(token);
      if (cur && !cur.pending && now() - cur.lastFetch < COMMAND_POLL_MS) return { commands: [] };
      const r = await base.fetchCommands(token);
      pendingByToken.set(token, { pending: false, lastFetch: now() });
      return r;
    },
    // As a real agent registers: with its host's token, through the authenticated registration
    // (the body must name the token's host). Never without a token.
    async register(req) {
      const token = tokens.get(req.hostName);
      if (!token) throw new AppError("UNAUTHORIZED", `The demo fleet holds no token for ${req.hostName}`);
      let r: Awaited<ReturnType<typeof base.register>>;
      if (controller) {
        const deps = { db, controller };
        r = await registerAuthenticated(deps, await authenticateAgent(deps, token), req);
      } else {
        try {
          r = await base.register(req); // with `token`, from the shared map; the answer's replaces it
        } catch (err) {
          // Over HTTP a refused token is a 401 answer: the same as the in-process refusal.
          if ((err as { status?: number }).status === 401) throw new AppError("UNAUTHORIZED", (err as Error).message);
          throw err;
        }
      }
      tokens.set(req.hostName, r.token);
      // registerAgent keeps the kind of the token it finds: had an admin's token replaced ours
      // between our authentication and its read, this registration would be a real agent's.
      // A simulated agent never drives such a host: it steps aside (the admin issues again).
      const row = await db.host.findUnique({ where: { id: r.hostId }, select: { simulated: true } });
      if (!row?.simulated) throw new AppError("UNAUTHORIZED", `${req.hostName} belongs to a real agent`);
      pendingByToken.set(r.token, { pending: true, lastFetch: now() });
      return r;
    },
  };
  const fleet = new SimFleet(
    transport,
    { heartbeatMs: t.heartbeatMs, isolationTimeoutMs: t.isolationTimeoutMs, vmStartMs: t.vmStartMs, migrateMs: Math.min(2000, t.vmStartMs) },
    observer,
  );
  const hostNames = new Map<string, string>();
  const retired = new Set<string>();
  /** Agents wait for their turn to register (staggered over one heartbeat interval). */
  const notBefore = new Map<string, number>();

  const inCluster = env.clusterId ? { clusterId: env.clusterId } : {};
  const retire = (name: string, why: string) => {
    const a = fleet.agents.get(name);
    fleet.agents.delete(name);
    tokens.delete(name);
    retired.add(name);
    if (a) log.warn({ host: name }, `demo: the simulated agent of ${name} stops (${why})`);
  };

  const addHosts = async (adopt: boolean) => {
    // Hosts gone from the store lose their agent; hosts a real agent claimed meanwhile retire theirs.
    const all = await db.host.findMany({ where: inCluster, select: { name: true, agentClaimedAt: true } });
    const claimed = new Map(all.map((h) => [h.name, h.agentClaimedAt !== null]));
    for (const name of [...fleet.agents.keys()]) {
      if (!claimed.has(name)) {
        fleet.agents.delete(name);
        tokens.delete(name);
      } else if (claimed.get(name)) retire(name, "a real agent owns the host now");
    }
    for (const name of [...retired]) if (!claimed.has(name)) retired.delete(name);
    if (!demo) return 0;
    const rows = await db.host.findMany({
      where: { ...inCluster, cluster: { demo: true }, agentClaimedAt: null },
      select: { id: true, name: true, nics: { select: { name: true }, orderBy: { name: "asc" } } },
      orderBy: { name: "asc" },
      take: opts.maxHosts,
    });
    const candidates = rows.filter((r) => !fleet.agents.has(r.name) && !retired.has(r.name));
    if (!candidates.length) return 0;
    // The token is stored only if the host is still unclaimed (and marked simulated with it).
    const issued = await issueSimulatedAgentTokens(db, candidates.map((r) => r.id), new Date(now()));
    const fresh = candidates.filter((r) => issued.has(r.id));
    const start = now();
    fresh.forEach((r, i) => {
      hostNames.set(r.id, r.name);
      tokens.set(r.name, issued.get(r.id)!);
      fleet.add(r.name, r.nics.map((n) => n.name));
      notBefore.set(r.name, start + Math.floor((i / Math.max(1, fresh.length)) * t.heartbeatMs));
    });
    if (!adopt || !fresh.length) return fresh.length;
    const ids = fresh.map((r) => r.id);
    const vms = [];
    // In slices: a store caps the parameters of one query (SQLite: 999 by default).
    for (let i = 0; i < ids.length; i += 200)
      vms.push(
        ...(await db.vm.findMany({
          where: { hostId: { in: ids.slice(i, i + 200) }, power: { in: RUNNING_POWER } },
          select: HOST_RUNNING_VM_SELECT,
        })),
      );
    for (const v of vms) fleet.agents.get(hostNames.get(v.hostId!)!)?.adopt(hostRunningVm(v), start);
    return fresh.length;
  };

  let lastResync = now();
  let lastFull = now();
  let lastCount = -1;
  const turn = async (a: SimAgent, at: number) => {
    try {
      await a.tick(at);
      await a.poll(at);
    } catch (err) {
      // In process an AppError; over HTTP the answer's status (ConsoleHttpError).
      const status = (err as { status?: unknown }).status;
      const code = isAppError(err) ? err.code : status === 401 ? "UNAUTHORIZED" : status === 404 ? "NOT_FOUND" : null;
      if (code === "UNAUTHORIZED") retire(a.name, "its token was replaced or revoked");
      else if (code === "NOT_FOUND") log.debug({ host: a.name, err: (err as Error).message }, "demo: host not known yet");
      else log.error({ host: a.name, err }, "demo: simulated agent failed");
    }
  };
  /** Over HTTP, agents whose last turn is still waiting for an answer (each agent runs on its own, as real ones do). */
  const inFlight = new Set<string>();
  const tickOnce = async (at = now()) => {
    for (const a of [...fleet.agents.values()]) {
      const nb = notBefore.get(a.name);
      if (nb !== undefined) {
        if (at < nb) continue;
        notBefore.delete(a.name);
      }
      if (controller) await turn(a, at);
      else if (!inFlight.has(a.name)) {
        // Never one agent's slow answer (a command fetch waiting on a busy controller) holding up
        // every other agent's heartbeat: each agent's turn runs concurrently with the others'.
        inFlight.add(a.name);
        void turn(a, at).finally(() => inFlight.delete(a.name));
      }
    }
    if (at - lastResync >= RESYNC_MS) {
      lastResync = at;
      try {
        const count = await db.host.count(env.clusterId ? { where: { clusterId: env.clusterId } } : undefined);
        if (count === lastCount && at - lastFull < FULL_RESYNC_MS) return;
        lastCount = count;
        lastFull = at;
        const n = await addHosts(false);
        if (n) log.info({ added: n }, "demo: new hosts get simulated agents");
      } catch (err) {
        log.error({ err }, "demo: host resync failed");
      }
    }
  };

  const count = await addHosts(true);
  if (demo) {
    const eligible = await db.host.count({ where: { ...inCluster, cluster: { demo: true }, agentClaimedAt: null } });
    const owned = await db.host.count({ where: { ...inCluster, agentClaimedAt: { not: null } } });
    if (eligible > count) log.warn({ simulated: count, hosts: eligible }, `demo: ${eligible - count} hosts beyond HAVEN_DEMO_MAX_HOSTS=${opts.maxHosts} have no simulated agent`);
    if (owned) log.info({ hosts: owned }, `demo: ${owned} hosts belong to real agents and are not simulated`);
  } else log.info("demo: the store is not in demo mode (no demo seed, a real agent registered, or HAVEN_DEMO=0): no simulated agents");

  const tickMs = opts.tickMs ?? (count > 200 ? 500 : 250);
  let timer: ReturnType<typeof setInterval> | null = null;
  if (tickMs > 0 && demo) {
    let busy = false;
    timer = setInterval(() => {
      if (busy) return;
      busy = true;
      tickOnce()
        .catch((err) => log.error({ err }, "demo fleet tick failed"))
        .finally(() => {
          busy = false;
        });
    }, tickMs);
    (timer as { unref?: () => void }).unref?.();
  }

  const handle: DemoFleet & { stop(): void } = {
    fleet,
    db,
    controller: controller ?? null,
    hostNames,
    retired,
    demo,
    agentFor(ref) {
      return fleet.agents.get(hostNames.get(ref) ?? ref);
    },
    tickOnce,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
  if (demo) log.info({ hosts: count, tickMs }, "demo: simulated agent fleet started");
  return handle;
}
