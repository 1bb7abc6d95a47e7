// The HA controller against a real throwaway store and simulated agents on a virtual clock.
import { afterEach, describe, expect, it } from "vitest";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import { acknowledgeAlert, resolveAlert } from "@/lib/server/ha/alerts";
import { powerOffVm, powerOnVm } from "@/lib/server/ha/vm-power";
import { AppError } from "@/lib/server/errors";
import { createSimCluster, type SimCluster } from "./harness";

let c: SimCluster | null = null;
afterEach(async () => {
  await c?.dispose();
  c = null;
});

const three = (vms: NonNullable<TClusterSpecInput["vms"]>, extra: Partial<TClusterSpecInput> = {}): TClusterSpecInput => ({
  hosts: [
    { name: "h1", cpus: 32, memoryGiB: 256 },
    { name: "h2", cpus: 32, memoryGiB: 256 },
    { name: "h3", cpus: 32, memoryGiB: 256 },
  ],
  vms,
  ...extra,
});

const hostState = async (c: SimCluster, name: string) => (await c.t.db.host.findUniqueOrThrow({ where: { name } })).state;
const vmRow = (c: SimCluster, name: string) => c.t.db.vm.findUniqueOrThrow({ where: { name }, include: { allocations: true, ipLeases: true } });

describe("failure detection timing", () => {
  it("unreachable missed × heartbeat after the last heartbeat, failed failureTimeout later, VMs running vmStart after that", async () => {
    c = await createSimCluster(three([{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" }]));
    await c.run(10);
    c.fleet.get("h1").powerLoss(c.clock.now()); // last heartbeat at 9.5 s
    await c.run(2.5); // 12.5
    expect(await hostState(c, "h1")).toBe("unreachable");
    await c.run(29.5); // 42
    expect(await hostState(c, "h1")).toBe("unreachable");
    await c.run(0.5); // 42.5
    expect(await hostState(c, "h1")).toBe("failed");
    await c.run(5);
    expect(c.running("web1")).toHaveLength(1);
    expect((await vmRow(c, "web1")).power).toBe("running");
  });

  it("a host back before the countdown ends is online again; its lost VMs restart in place", async () => {
    c = await createSimCluster(three([{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" }]));
    await c.run(10);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(10);
    expect(await hostState(c, "h1")).toBe("unreachable");
    c.fleet.get("h1").powerOn(c.clock.now());
    await c.run(7);
    expect(await hostState(c, "h1")).toBe("online");
    expect(c.running("web1")).toEqual(["h1"]);
    const incidents = await c.t.db.incident.findMany({ orderBy: { seq: "asc" } });
    expect(incidents.map((i) => [i.kind, i.status])).toEqual([
      ["host-failure", "closed"],
      ["vm-crash", "closed"],
    ]);
    const alert = await c.t.db.alert.findFirstOrThrow({ where: { kind: "HOST_UNREACHABLE" } });
    expect(alert.status).toBe("resolved");
  });
});

describe("liveness costs no store write per heartbeat", () => {
  it("host rows are untouched by heartbeats; lastHeartbeatAt is persisted every 10 s", async () => {
    c = await createSimCluster(three([]));
    await c.run(1); // agents registered (token written)
    const before = await c.t.db.host.findMany({ orderBy: { name: "asc" } });
    await c.run(8);
    const after = await c.t.db.host.findMany({ orderBy: { name: "asc" } });
    expect(after.map((h) => h.updatedAt.getTime())).toEqual(before.map((h) => h.updatedAt.getTime()));
    await c.run(4);
    const later = await c.t.db.host.findMany({ orderBy: { name: "asc" } });
    for (const h of later) expect(h.lastHeartbeatAt!.getTime()).toBeGreaterThanOrEqual(9_000);
  });
});

describe("restart safety", () => {
  it("a new controller resumes a failover whose start commands were already queued", async () => {
    c = await createSimCluster(
      three([
        { name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" },
        { name: "web2", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "low" },
      ]),
    );
    await c.run(10);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(32.5); // failed at 42.5, starts queued
    expect(await hostState(c, "h1")).toBe("failed");
    expect((await vmRow(c, "web1")).power).toBe("starting");
    await c.restartController();
    await c.run(8);
    for (const vm of ["web1", "web2"]) {
      expect(c.running(vm)).toHaveLength(1);
      expect((await vmRow(c, vm)).power).toBe("running");
    }
    const inc = await c.t.db.incident.findFirstOrThrow({ where: { kind: "host-failure" } });
    expect(inc.status).toBe("closed");
  });

  it("a restart during the countdown keeps the countdown (host state and since are in the store)", async () => {
    c = await createSimCluster(three([{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" }]));
    await c.run(10);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(15);
    await c.restartController();
    await c.run(17); // 42
    expect(await hostState(c, "h1")).toBe("unreachable");
    await c.run(1);
    expect(await hostState(c, "h1")).toBe("failed");
    await c.run(6);
    expect(c.running("web1")).toHaveLength(1);
    // Other hosts kept heartbeating through the restart: no false alarm.
    expect(await hostState(c, "h2")).toBe("online");
    expect(await c.t.db.alert.count({ where: { kind: "HOST_UNREACHABLE", hostId: { not: (await c.t.db.host.findUniqueOrThrow({ where: { name: "h1" } })).id } } })).toBe(0);
  });
});

describe("power on / off", () => {
  it("50 simultaneous power-ons racing for 10 VFs of one tag: exactly 10 succeed, the rest are refused with a reason", async () => {
    const vms = Array.from({ length: 50 }, (_, i) => ({
      name: `v${String(i).padStart(2, "0")}`,
      vcpus: 1,
      memoryGiB: 1,
      power: "off" as const,
      devices: [{ type: "sriov" as const, tag: "fast", count: 1 }],
      nics: [{ network: "prod" }],
    }));
    c = await createSimCluster({
      hosts: [
        { name: "h1", cpus: 128, memoryGiB: 512, nics: [{ name: "ens1f0", role: "vm", sriovVfs: 6, tag: "fast" }] },
        { name: "h2", cpus: 128, memoryGiB: 512, nics: [{ name: "ens1f0", role: "vm", sriovVfs: 4, tag: "fast" }] },
      ],
      networks: [{ name: "prod", managed: true, cidr: "10.0.0.0/24", gateway: "10.0.0.1" }],
      vms,
    });
    await c.run(1);
    const results = await Promise.allSettled(vms.map((v) => powerOnVm(c!.vmIds[v.name], { by: "test" }, c!.controller)));
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(AppError);
      expect((r.reason as AppError).code).toBe("CONFLICT");
      expect((r.reason as AppError).message).toMatch(/fast/);
    }
    const allocs = await c.t.db.deviceAllocation.findMany();
    expect(allocs).toHaveLength(10);
    expect(new Set(allocs.map((a) => a.deviceKey)).size).toBe(10);
    expect(await c.t.db.vm.count({ where: { power: "stopped" } })).toBe(40);
    const leases = await c.t.db.ipLease.findMany();
    expect(leases).toHaveLength(10);
    expect(new Set(leases.map((l) => l.address)).size).toBe(10);
    await c.run(6);
    expect(await c.t.db.vm.count({ where: { power: "running" } })).toBe(10);
  });

  it("power-off stops the VM, releases its devices on the agent's ack, keeps its IP, and HA leaves it off", async () => {
    c = await createSimCluster({
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 256, nics: [{ name: "ens1f0", sriovVfs: 4, tag: "t" }] },
        { name: "h2", cpus: 32, memoryGiB: 256, nics: [{ name: "ens1f0", sriovVfs: 4, tag: "t" }] },
      ],
      networks: [{ name: "prod", managed: true, cidr: "10.0.0.0/24", gateway: "10.0.0.1" }],
      vms: [{ name: "t1", vcpus: 2, memoryGiB: 4, host: "h1", devices: [{ type: "sriov", tag: "t", count: 1 }], nics: [{ network: "prod" }] }],
    });
    await c.run(1);
    const ip = (await vmRow(c, "t1")).ipLeases[0].address;
    await powerOffVm(c.vmIds.t1, { by: "test" }, c.controller);
    expect((await vmRow(c, "t1")).power).toBe("stopping");
    await c.run(1);
    const vm = await vmRow(c, "t1");
    expect(vm.power).toBe("stopped");
    expect(vm.allocations).toHaveLength(0);
    expect(vm.ipLeases.map((l) => l.address)).toEqual([ip]);
    expect(c.running("t1")).toEqual([]);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(45);
    expect((await vmRow(c, "t1")).power).toBe("stopped");
    // Powered on again: same address.
    await powerOnVm(c.vmIds.t1, {}, c.controller);
    await c.run(6);
    const again = await vmRow(c, "t1");
    expect(again.power).toBe("running");
    expect(again.ipLeases.map((l) => l.address)).toEqual([ip]);
  });

  it("a refused power-on names every host's reason and leaves the VM stopped", async () => {
    c = await createSimCluster(three([{ name: "big", vcpus: 64, memoryGiB: 16, power: "off" }]));
    await c.run(1);
    const err = await powerOnVm(c.vmIds.big, {}, c.controller).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toMatch(/h1/);
    expect(err.message).toMatch(/h2/);
    expect(err.message).toMatch(/h3/);
    expect(Object.keys(err.fieldErrors ?? {})).toEqual(expect.arrayContaining(["hosts.h1", "hosts.h2", "hosts.h3"]));
    expect((await vmRow(c, "big")).power).toBe("stopped");
  });
});

describe("alerts", () => {
  it("are deduplicated, can be acknowledged, and resolve when their condition clears", async () => {
    c = await createSimCluster(three([{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1" }]));
    await c.run(5);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(40);
    const failed = await c.t.db.alert.findFirstOrThrow({ where: { kind: "HOST_FAILED" } });
    await acknowledgeAlert(c.t.db, failed.id, "oncall@example.com", "looking");
    await c.run(5);
    const acked = await c.t.db.alert.findUniqueOrThrow({ where: { id: failed.id } });
    expect(acked.status).toBe("acknowledged");
    expect(acked.activeKey).not.toBeNull();
    expect(await c.t.db.alert.count({ where: { kind: "HOST_FAILED" } })).toBe(1);
    c.fleet.get("h1").powerOn(c.clock.now());
    await c.run(2);
    const resolved = await c.t.db.alert.findUniqueOrThrow({ where: { id: failed.id } });
    expect(resolved.status).toBe("resolved");
    expect(resolved.resolvedBy).toBe("auto");
    const ok = await c.t.db.alert.findFirstOrThrow({ where: { kind: "HA_REBUILD_SUCCEEDED" } });
    const r = await resolveAlert(c.t.db, ok.id, "oncall@example.com");
    expect(r.status).toBe("resolved");
    expect(r.activeKey).toBeNull();
  });

  it("every HA step of an incident is an event, from detection to the last VM running", async () => {
    c = await createSimCluster(three([{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1" }]));
    await c.run(5);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(45);
    const inc = await c.t.db.incident.findFirstOrThrow({ where: { kind: "host-failure" }, include: { events: { orderBy: { at: "asc" } } } });
    expect(inc.events.map((e) => e.kind)).toEqual([
      "host-unreachable",
      "countdown-started",
      "host-failed",
      "failover-planned",
      "vm-planned",
      "vm-start-sent",
      "vm-running",
      "incident-closed",
    ]);
    const planned = inc.events.find((e) => e.kind === "vm-planned")!;
    expect(JSON.parse(planned.data!).reasons.length).toBeGreaterThan(0);
  });
});

describe("acknowledged work survives a restart", () => {
  it("a stop acknowledged just before the controller stopped is applied by the next one", async () => {
    c = await createSimCluster(three([{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1" }]));
    await c.run(1);
    await powerOffVm(c.vmIds.web1, {}, c.controller);
    // The agent's ack reached the store, the controller died before applying it.
    const cmd = await c.t.db.agentCommand.findFirstOrThrow({ where: { vmId: c.vmIds.web1, kind: "stop-vm" } });
    await c.t.db.agentCommand.update({ where: { id: cmd.id }, data: { status: "done", ackedAt: new Date(c.clock.now()) } });
    expect((await vmRow(c, "web1")).power).toBe("stopping");
    await c.restartController();
    const vm = await vmRow(c, "web1");
    expect(vm.power).toBe("stopped");
    expect(vm.hostId).toBeNull();
  });
});
