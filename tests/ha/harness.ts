// A simulated cluster for controller tests: throwaway store, imported cluster, virtual clock,
// one sim agent per host and a controller that can be replaced mid-run (restart safety).
import { importCluster } from "@/lib/server/cluster-import";
import { HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import { SimFleet } from "@/lib/sim/fleet";
import type { SimObserver } from "@/lib/sim/agent";
import { hostRunningVm } from "@/lib/server/agent/tokens";
import type { AgentTransport } from "@/lib/sim/transport";
import { inProcessTransport } from "@/lib/sim/in-process-transport";
import { createTestDb, type TestDb } from "../support/test-db";

export interface SimCluster {
  t: TestDb;
  clock: VirtualClock;
  controller: HaController;
  fleet: SimFleet;
  vmIds: Record<string, string>;
  hostIds: Record<string, string>;
  /** Advance virtual time by `seconds` in 0.5 s ticks (agents, controller, agents' commands). */
  run(seconds: number): Promise<void>;
  /** Replace the controller by a fresh instance on the same store (a console restart). */
  restartController(): Promise<void>;
  dispose(): Promise<void>;
  running(vm: string): string[];
}

export async function createSimCluster(spec: TClusterSpecInput): Promise<SimCluster> {
  const t = await createTestDb();
  const imported = await importCluster(t.db, spec, { now: new Date(0) });
  const clock = new VirtualClock(0);
  const observer: SimObserver = { vmStarted() {}, vmStopped() {} };
  let controller = new HaController({ db: t.db, clock, log: silentLogger });
  await controller.start();
  // The transport always reaches the current controller.
  const transport: AgentTransport = {
    register: (r) => inProcessTransport({ db: t.db, controller }).register(r),
    heartbeat: (tok, hb) => inProcessTransport({ db: t.db, controller }).heartbeat(tok, hb),
    fetchCommands: (tok) => inProcessTransport({ db: t.db, controller }).fetchCommands(tok),
    ack: (tok, a) => inProcessTransport({ db: t.db, controller }).ack(tok, a),
  };
  const timing = spec.cluster?.timing ?? {};
  const fleet = new SimFleet(
    transport,
    {
      heartbeatMs: (timing.heartbeat ?? 1) * 1000,
      isolationTimeoutMs: (timing.isolationTimeout ?? 20) * 1000,
      vmStartMs: (timing.vmStart ?? 5) * 1000,
      migrateMs: 2000,
    },
    observer,
  );
  const hostName = new Map(Object.entries(imported.hostIds).map(([n, id]) => [id, n]));
  for (const h of spec.hosts) fleet.add(h.name, (h.nics ?? []).map((n) => n.name));
  const vms = await t.db.vm.findMany({ where: { power: "running" }, include: { allocations: true, ipLeases: true } });
  for (const v of vms) fleet.get(hostName.get(v.hostId!)!).adopt(hostRunningVm(v), 0);
  const cluster: SimCluster = {
    t,
    clock,
    get controller() {
      return controller;
    },
    fleet,
    vmIds: imported.vmIds,
    hostIds: imported.hostIds,
    async run(seconds) {
      const end = clock.now() + seconds * 1000;
      while (clock.now() < end) {
        clock.advance(500);
        const now = clock.now();
        await fleet.tick(now);
        await controller.step();
        await fleet.poll(now);
      }
    },
    async restartController() {
      controller = new HaController({ db: t.db, clock, log: silentLogger });
      await controller.start();
    },
    dispose: () => t.cleanup(),
    running: (vm) => fleet.hostsRunning(imported.vmIds[vm]),
  } as SimCluster;
  return cluster;
}
