// Demo mode lives in the store, and the demo fleet never drives a host a real agent owns: the
// demo seed (and seed:large) mark their cluster, an import does not, a real registration ends
// the demo; the fleet takes hosts with tokens issued for it (marking them simulated), registers
// with them like a real agent, and leaves hosts an admin issued a token for or a real agent
// registered — also after a restart (a new store client, controller and fleet over the same file).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { importCluster } from "@/lib/server/cluster-import";
import { createDb } from "@/lib/server/db";
import { seedLarge } from "@/lib/server/seed";
import { startController, stopController, type HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { startDemoFleet, type DemoFleet } from "@/lib/server/demo/fleet";
import { isDemoMode, isDemoModeFor, markDemoCluster } from "@/lib/server/demo/mode";
import { issueAgentToken, revokeAgentToken } from "@/lib/server/agent/tokens";
import { agentHeartbeat, authenticateAgent } from "@/lib/server/agent/service";
import { registerAuthenticated } from "@/lib/server/http/agent-ops";
import { getHost, listHosts, parseHostListQuery } from "@/lib/server/queries/hosts";
import { createTestDb, type TestDb } from "../support/test-db";

const spec = {
  hosts: ["h1", "h2", "h3"].map((name) => ({ name, cpus: 32, memoryGiB: 128, nics: [{ name: "ens2f0", role: "storage" as const, bond: "stor0" }, { name: "ens2f1", role: "storage" as const, bond: "stor0" }] })),
  vms: [
    { name: "a", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "high" as const },
    { name: "b", vcpus: 2, memoryGiB: 4, host: "h2", haPriority: "high" as const },
  ],
};

describe("demo mode is explicit and lives in the store", () => {
  let t: TestDb | undefined;
  afterEach(async () => {
    delete process.env.HAVEN_DEMO;
    await t?.cleanup();
    t = undefined;
  });

  it("the demo seed marks its cluster: on (HAVEN_DEMO=0 still forces it off)", async () => {
    t = await createTestDb({ seed: "demo" });
    expect(await t.db.cluster.findMany({ select: { name: true, demo: true } })).toEqual([{ name: "haven-demo", demo: true }]);
    expect(await isDemoModeFor(t.db)).toBe(true);
    process.env.HAVEN_DEMO = "0";
    expect(await isDemoModeFor(t.db)).toBe(false);
    expect(isDemoMode()).toBe(false);
  });

  it("seed:large marks its cluster too", async () => {
    t = await createTestDb();
    await seedLarge(t.db, { hosts: 12, vms: 40 });
    expect(await isDemoModeFor(t.db)).toBe(true);
  });

  it("a store created by an import (a scenario, a real cluster) is not in demo mode, and a fleet there drives nothing", async () => {
    t = await createTestDb();
    await importCluster(t.db, spec, { now: new Date(0), name: "scenario" });
    expect(await isDemoModeFor(t.db)).toBe(false);
    const clock = new VirtualClock(0);
    stopController();
    const ctl = startController({ db: t.db, clock, log: silentLogger });
    await ctl.start();
    const demo = await startDemoFleet(ctl, { maxHosts: 50, tickMs: 0, log: silentLogger, now: () => clock.now() });
    try {
      clock.advance(3_000);
      await demo.tickOnce(clock.now());
      expect(demo.demo).toBe(false);
      expect(demo.fleet.agents.size).toBe(0);
      expect(isDemoMode()).toBe(false);
      expect(await t.db.host.count({ where: { OR: [{ simulated: true }, { agentTokenHash: { not: null } }] } })).toBe(0);
    } finally {
      demo.stop();
      stopController();
    }
  });
});

describe("the demo fleet and real agents", () => {
  let t: TestDb;
  let db: PrismaClient;
  let clock: VirtualClock;
  let ctl: HaController;
  let demo: DemoFleet;
  let clusterId: string;
  /** The real agent of h2: its token (admin-issued, then its registration's). */
  let realToken: string;

  async function runFor(ms: number) {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advance(250);
      await demo.tickOnce(clock.now());
      await ctl.step();
    }
  }
  /** A console restart: a new store client, controller and demo fleet over the same store file. */
  async function restart() {
    demo?.stop();
    stopController();
    if (db && db !== t.db) await db.$disconnect();
    db = createDb(t.url);
    ctl = startController({ db, clock, log: silentLogger });
    await ctl.start();
    demo = await startDemoFleet(ctl, { maxHosts: 50, tickMs: 0, log: silentLogger, now: () => clock.now() });
  }
  const hostRow = (name: string) => db.host.findUniqueOrThrow({ where: { name }, select: { id: true, simulated: true, agentClaimedAt: true, agentTokenHash: true, state: true } });

  beforeAll(async () => {
    t = await createTestDb();
    clusterId = (await importCluster(t.db, spec, { now: new Date(0), name: "demo-test" })).clusterId;
    await markDemoCluster(t.db, clusterId);
    clock = new VirtualClock(0);
    await restart();
  });

  afterAll(async () => {
    demo?.stop();
    stopController();
    if (db !== t.db) await db?.$disconnect();
    await t.cleanup();
  });

  it("takes every host of the demo cluster with a token issued for it, marks it simulated (store and host views) and keeps it online", async () => {
    expect([...demo.fleet.agents.keys()].sort()).toEqual(["h1", "h2", "h3"]);
    for (const name of ["h1", "h2", "h3"]) {
      const h = await hostRow(name);
      expect(h.simulated).toBe(true);
      expect(h.agentClaimedAt).toBeNull();
      expect(h.agentTokenHash).not.toBeNull();
    }
    await runFor(5_000);
    for (const name of ["h1", "h2", "h3"]) expect((await hostRow(name)).state).toBe("online");
    // Each agent calls with a token the store knows, as a real agent does.
    for (const name of ["h1", "h2", "h3"]) expect(await authenticateAgent({ db }, demo.fleet.get(name).token)).toBe((await hostRow(name)).id);
    // The fleet's own registrations do not end the demo.
    expect(await isDemoModeFor(db)).toBe(true);
    expect(isDemoMode()).toBe(true);
    const page = await listHosts(parseHostListQuery({}), db);
    expect(page.rows.map((r) => [r.name, r.simulated])).toEqual([["h1", true], ["h2", true], ["h3", true]]);
    expect((await getHost((await hostRow("h1")).id, db))?.simulated).toBe(true);
  });

  it("an admin's token for a host ends its simulation at once, and a restart does not take the host back", async () => {
    realToken = (await issueAgentToken(db, "h2", new Date(clock.now()))).token;
    expect(await hostRow("h2")).toMatchObject({ simulated: false, agentClaimedAt: expect.any(Date) });
    await runFor(1_000);
    expect(demo.fleet.agents.has("h2")).toBe(false);
    expect(demo.retired.has("h2")).toBe(true);
    expect((await getHost((await hostRow("h2")).id, db))?.simulated).toBe(false);

    await restart();
    expect(demo.demo).toBe(true); // no real agent has registered yet
    expect([...demo.fleet.agents.keys()].sort()).toEqual(["h1", "h3"]);
    expect(await authenticateAgent({ db }, realToken)).toBe((await hostRow("h2")).id);
    await runFor(2_000);
    expect((await hostRow("h2")).simulated).toBe(false);
    expect(await authenticateAgent({ db }, realToken)).toBe((await hostRow("h2")).id);
  });

  it("a real agent's registration keeps the host real and ends demo mode (from the next start)", async () => {
    const deps = { db, controller: ctl };
    const h2 = await hostRow("h2");
    const r = await registerAuthenticated(deps, await authenticateAgent(deps, realToken), { hostName: "h2", agentVersion: "real-1" });
    realToken = r.token;
    await agentHeartbeat(deps, await authenticateAgent(deps, realToken), { hostId: h2.id, seq: 1, vms: [{ vmId: (await db.vm.findFirstOrThrow({ where: { name: "b" } })).id, generation: 1, state: "running" }], nics: [] });
    expect(await hostRow("h2")).toMatchObject({ simulated: false, agentClaimedAt: expect.any(Date) });
    expect((await db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).demo).toBe(false);
    expect(await isDemoModeFor(db)).toBe(false);
    // The running fleet keeps its agents until the next start, but takes nothing new.
    expect([...demo.fleet.agents.keys()].sort()).toEqual(["h1", "h3"]);

    await restart();
    expect(demo.demo).toBe(false);
    expect(demo.fleet.agents.size).toBe(0);
    expect(isDemoMode()).toBe(false);
    expect(await authenticateAgent({ db }, realToken)).toBe(h2.id);
  });

  it("even with the demo flag set again, a restarted fleet never takes a host a real agent registered (nor after its token is revoked)", async () => {
    await markDemoCluster(db, clusterId);
    await restart();
    expect(demo.demo).toBe(true);
    expect([...demo.fleet.agents.keys()].sort()).toEqual(["h1", "h3"]);
    await runFor(2_000);
    expect(await authenticateAgent({ db }, realToken)).toBe((await hostRow("h2")).id);
    expect((await hostRow("h2")).simulated).toBe(false);

    await revokeAgentToken(db, "h2");
    await restart();
    expect([...demo.fleet.agents.keys()].sort()).toEqual(["h1", "h3"]);
    await runFor(3_000);
    expect(await hostRow("h2")).toMatchObject({ simulated: false, agentTokenHash: null });
  });
});
