import "server-only";
// The demo cluster's simulated agents: one SimAgent per host of the store (up to
// HAVEN_DEMO_MAX_HOSTS), on the wall clock, speaking the agent protocol through the same service
// functions as the HTTP routes (inProcessTransport). They adopt the VMs the store says run on
// them, heartbeat every `heartbeat` seconds, boot VMs `vmStart` after a start command, and take
// injected faults (lib/server/demo/faults.ts). Agents register staggered over the first
// heartbeat interval, so a large fleet's heartbeats do not all land in the same millisecond.
import type { PrismaClient } from "@prisma/client";
import { isAppError } from "@/lib/server/errors";
import type { HaController } from "@/lib/server/ha/controller";
import type { Logger } from "@/lib/server/ha/log";
import { SimFleet } from "@/lib/sim/fleet";
import type { SimAgent, SimObserver, SimVm } from "@/lib/sim/agent";
import { inProcessTransport } from "@/lib/sim/in-process-transport";

const RUNNING_POWER = ["running", "stopping", "migrating"];
/** How often the fleet looks for hosts added or removed (a count first; the full list when it moved, or every FULL_RESYNC_MS). */
const RESYNC_MS = 2_000;
const FULL_RESYNC_MS = 30_000;
const COMMAND_POLL_MS = 60_000;

export interface DemoFleet {
  readonly fleet: SimFleet;
  readonly db: PrismaClient;
  readonly controller: HaController;
  /** Host id → host name, for the hosts simulated. */
  readonly hostNames: Map<string, string>;
  /** Host names whose agent stopped because an admin issued a real token for the host. */
  readonly retired: Set<string>;
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

/** Starts THE demo fleet of this process (a second call returns the running one). */
export async function startDemoFleet(controller: HaController, opts: DemoFleetOptions): Promise<DemoFleet> {
  if (g.__havenDemoFleet) return g.__havenDemoFleet;
  const db = controller.db;
  const now = opts.now ?? (() => Date.now());
  const log = opts.log;
  const t = controller.timing;
  const observer: SimObserver = {
    vmStarted: (vm, host) => log.debug({ vm: vm.name, host }, "demo: VM running"),
    vmStopped: (vm, host, cause) => log.debug({ vm: vm.name, host, cause }, "demo: VM stopped"),
  };
  // In process the controller's "commands pending" hint is never lost, so an agent asks for
  // commands only when its last heartbeat said some wait (or once a minute): at 1,000 hosts
  // that spares the store ~100 command queries a second.
  const base = inProcessTransport({ db, controller });
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
    async register(req) {
      const r = await base.register(req);
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

  const addHosts = async (adopt: boolean) => {
    const rows = await db.host.findMany({
      where: controller.clusterId ? { clusterId: controller.clusterId } : {},
      select: { id: true, name: true, nics: { select: { name: true }, orderBy: { name: "asc" } } },
      orderBy: { name: "asc" },
      take: opts.maxHosts,
    });
    const seen = new Set(rows.map((r) => r.name));
    for (const name of [...fleet.agents.keys()]) {
      if (!seen.has(name)) fleet.agents.delete(name);
    }
    const fresh = rows.filter((r) => !fleet.agents.has(r.name) && !retired.has(r.name));
    const start = now();
    fresh.forEach((r, i) => {
      hostNames.set(r.id, r.name);
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
          select: { id: true, name: true, hostId: true, generation: true, haPriority: true, vcpus: true, memoryMiB: true, allocations: { select: { deviceKey: true } }, ipLeases: { select: { address: true } } },
        })),
      );
    for (const v of vms) {
      const agent = fleet.agents.get(hostNames.get(v.hostId!)!);
      agent?.adopt(
        {
          vmId: v.id,
          name: v.name,
          generation: v.generation,
          haPriority: v.haPriority as SimVm["haPriority"],
          vcpus: v.vcpus,
          memoryMiB: v.memoryMiB,
          deviceKeys: v.allocations.map((a) => a.deviceKey),
          ips: v.ipLeases.map((l) => l.address),
        },
        start,
      );
    }
    return fresh.length;
  };

  const retire = (a: SimAgent, why: string) => {
    fleet.agents.delete(a.name);
    retired.add(a.name);
    log.warn({ host: a.name }, `demo: the simulated agent of ${a.name} stops (${why})`);
  };

  let lastResync = now();
  let lastFull = now();
  let lastCount = -1;
  const tickOnce = async (at = now()) => {
    for (const a of [...fleet.agents.values()]) {
      const nb = notBefore.get(a.name);
      if (nb !== undefined) {
        if (at < nb) continue;
        notBefore.delete(a.name);
      }
      try {
        await a.tick(at);
        await a.poll(at);
      } catch (err) {
        if (isAppError(err) && err.code === "UNAUTHORIZED") retire(a, "its token was replaced or revoked: a real agent owns the host now");
        else if (isAppError(err) && err.code === "NOT_FOUND") log.debug({ host: a.name, err: err.message }, "demo: host not known yet");
        else log.error({ host: a.name, err }, "demo: simulated agent failed");
      }
    }
    if (at - lastResync >= RESYNC_MS) {
      lastResync = at;
      try {
        const count = await db.host.count(controller.clusterId ? { where: { clusterId: controller.clusterId } } : undefined);
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
  const total = await db.host.count(controller.clusterId ? { where: { clusterId: controller.clusterId } } : undefined);
  if (total > count) log.warn({ simulated: count, hosts: total }, `demo: ${total - count} hosts beyond HAVEN_DEMO_MAX_HOSTS=${opts.maxHosts} have no simulated agent`);

  const tickMs = opts.tickMs ?? (count > 200 ? 500 : 250);
  let timer: ReturnType<typeof setInterval> | null = null;
  if (tickMs > 0) {
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

  const handle: DemoFleet = {
    fleet,
    db,
    controller,
    hostNames,
    retired,
    agentFor(ref) {
      return fleet.agents.get(hostNames.get(ref) ?? ref);
    },
    tickOnce,
    stop() {
      if (timer) clearInterval(timer);
      if (g.__havenDemoFleet === handle) g.__havenDemoFleet = undefined;
    },
  };
  g.__havenDemoFleet = handle;
  log.info({ hosts: count, tickMs }, "demo: simulated agent fleet started");
  return handle;
}
