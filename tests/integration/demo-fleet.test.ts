// The demo cluster's simulated fleet and the fault API, on a virtual clock against a throwaway
// store: the fleet keeps hosts online and boots started VMs; an injected power loss is detected
// and the host's HA VMs are rebuilt elsewhere; the fault route validates and is off outside demo mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { startController, stopController, type HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { powerOffVm, powerOnVm } from "@/lib/server/ha/vm-power";
import { startDemoFleet, type DemoFleet } from "@/lib/server/demo/fleet";
import { applyDemoFault } from "@/lib/server/demo/faults";
import { markDemoCluster } from "@/lib/server/demo/mode";
import { POST as faults } from "@/app/api/v1/demo/faults/route";
import { createTestDb, type TestDb } from "../support/test-db";
import { runAs, seedRoleUsers, type RolePrincipals } from "../support/auth";

let t: TestDb;
let ctl: HaController;
let clock: VirtualClock;
let demo: DemoFleet;
let ids: { hosts: Record<string, string>; vms: Record<string, string> };
let users: RolePrincipals;

async function runFor(ms: number) {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advance(250);
    await demo.tickOnce(clock.now());
    await ctl.step();
    await demo.tickOnce(clock.now());
  }
}
const vm = (name: string) => t.db.vm.findUnique({ where: { id: ids.vms[name] }, include: { host: true } });
const request = (body: unknown) => new Request("http://haven.test/api/v1/demo/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
/** The fault route as an operator (faults are an operator's action). */
const post = (body: unknown) => runAs(users.operator, () => faults(request(body)));

beforeAll(async () => {
  t = await createTestDb();
  const imported = await importCluster(
    t.db,
    {
      hosts: ["h1", "h2", "h3"].map((name) => ({ name, cpus: 32, memoryGiB: 128, nics: [{ name: "ens2f0", role: "storage" as const, bond: "stor0" }, { name: "ens2f1", role: "storage" as const, bond: "stor0" }] })),
      vms: [
        { name: "a", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "high" },
        { name: "b", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "off" },
        { name: "c", vcpus: 2, memoryGiB: 4, host: "h2", haPriority: "medium" },
      ],
    },
    { now: new Date(0), name: "demo-test" },
  );
  ids = { hosts: imported.hostIds, vms: imported.vmIds };
  await markDemoCluster(t.db, imported.clusterId); // as the demo seed does: the fleet drives only a demo cluster
  users = await seedRoleUsers(t.db, "demo");
  clock = new VirtualClock(0);
  stopController();
  ctl = startController({ db: t.db, clock, log: silentLogger });
  await ctl.start();
  demo = await startDemoFleet(ctl, { maxHosts: 50, tickMs: 0, log: silentLogger, now: () => clock.now() });
});

afterAll(async () => {
  demo?.stop();
  stopController();
  await t.cleanup();
});

describe("demo fleet", () => {
  it("simulates every host, adopts the running VMs and keeps the hosts online", async () => {
    expect([...demo.fleet.agents.keys()].sort()).toEqual(["h1", "h2", "h3"]);
    expect([...demo.fleet.get("h1").running.keys()].sort()).toEqual([ids.vms.a, ids.vms.b].sort());
    await runFor(10_000);
    expect((await t.db.host.findMany()).map((h) => h.state)).toEqual(["online", "online", "online"]);
  });

  it("boots a VM that was powered on (starting → running)", async () => {
    await powerOffVm(ids.vms.c, { by: "test" }, ctl);
    await runFor(2_000);
    expect((await vm("c"))!.power).toBe("stopped");
    await powerOnVm(ids.vms.c, { by: "test" }, ctl);
    expect((await vm("c"))!.power).toBe("starting");
    await runFor(7_000);
    expect((await vm("c"))!.power).toBe("running");
  });

  it("validates faults (400 naming the field, 404 for unknown hosts, 409 for no-ops); operators only", async () => {
    expect((await runAs(null, () => faults(request({ action: "host-down", host: "h1" })))).status).toBe(401);
    expect((await runAs(users.viewer, () => faults(request({ action: "host-down", host: "h1" })))).status).toBe(403);
    expect(demo.fleet.get("h1").up).toBe(true);
    let res = await post({ action: "nic-down", host: "h1" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(Object.keys((await res.json()).errors)).toEqual(["nic"]);
    res = await post({ action: "explode", host: "h1" });
    expect(res.status).toBe(400);
    res = await post({ action: "host-down", host: "h9" });
    expect(res.status).toBe(404);
    res = await post({ action: "nic-down", host: "h1", nic: "eth9" });
    expect(res.status).toBe(404);
    res = await post({ action: "host-up", host: "h1" });
    expect(res.status).toBe(409);
  });

  it("a power loss is detected and the host's HA VMs are rebuilt elsewhere", async () => {
    const res = await post({ action: "host-down", host: ids.hosts.h1 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, action: "host-down", host: "h1" });
    await runFor(4_000);
    expect((await t.db.host.findUnique({ where: { id: ids.hosts.h1 } }))!.state).toBe("unreachable");
    await runFor(32_000);
    expect((await t.db.host.findUnique({ where: { id: ids.hosts.h1 } }))!.state).toBe("failed");
    await runFor(7_000);
    const a = (await vm("a"))!;
    expect(a.power).toBe("running");
    expect(["h2", "h3"]).toContain(a.host?.name);
    expect(demo.fleet.hostsRunning(ids.vms.a)).toEqual([a.host!.name]);
    expect((await vm("b"))!.power).not.toBe("running");
    await applyDemoFault({ action: "host-up", host: "h1" }, demo, clock.now());
    await runFor(5_000);
    expect((await t.db.host.findUnique({ where: { id: ids.hosts.h1 } }))!.state).toBe("online");
  });

  it("a crashed VM is restarted", async () => {
    const r = await applyDemoFault({ action: "vm-crash", vm: "c" }, demo, clock.now());
    expect(r.vm).toBe("c");
    expect(demo.fleet.hostsRunning(ids.vms.c)).toEqual([]);
    await runFor(10_000);
    expect(demo.fleet.hostsRunning(ids.vms.c)).toHaveLength(1);
    expect((await vm("c"))!.power).toBe("running");
  });

  it("retires a host's simulated agent once an admin issues a real token for it", async () => {
    const { issueAgentToken } = await import("@/lib/server/agent/tokens");
    await issueAgentToken(t.db, "h3");
    await runFor(2_000);
    expect(demo.fleet.agents.has("h3")).toBe(false);
    expect(demo.retired.has("h3")).toBe(true);
    expect(await t.db.host.findUnique({ where: { name: "h3" }, select: { simulated: true } })).toEqual({ simulated: false });
  });

  it("gives a host added to the inventory a simulated agent within seconds, and it stays online", async () => {
    const h1 = (await t.db.host.findUnique({ where: { id: ids.hosts.h1 } }))!;
    await t.db.host.create({ data: { clusterId: h1.clusterId, name: "h4", cpus: 16, memoryMiB: 65536, stateSince: new Date(clock.now()) } });
    ctl.notifyChanged();
    await runFor(3_000);
    expect(demo.fleet.agents.has("h4")).toBe(true);
    await runFor(10_000);
    const h4 = (await t.db.host.findUnique({ where: { name: "h4" } }))!;
    expect(h4.state).toBe("online");
    expect(await t.db.event.count({ where: { hostId: h4.id, kind: "host-unreachable" } })).toBe(0);
  });

  it("the fault route does not exist outside demo mode", async () => {
    process.env.HAVEN_DEMO = "0";
    try {
      const res = await post({ action: "host-down", host: "h2" });
      expect(res.status).toBe(404);
      expect(demo.fleet.get("h2").up).toBe(true);
    } finally {
      delete process.env.HAVEN_DEMO;
    }
  });
});
