// Failback in the controller (lib/server/ha/failback.ts) against a real throwaway store and
// simulated agents: standard VMs go back up their group's host order once the preferred host is
// back, paced; admin-placed VMs and opted-out groups stay; maintenance exit brings back what it moved.
import { afterEach, describe, expect, it } from "vitest";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import { enterMaintenance } from "@/lib/server/ha/maintenance";
import { failbackAfterMaintenance, runFailback, selectMaintenanceReturns } from "@/lib/server/ha/failback";
import { createSimCluster, type SimCluster } from "./harness";

let c: SimCluster | null = null;
afterEach(async () => {
  await c?.dispose();
  c = null;
});

const spec = (opts: { groupFailback?: boolean; clusterFailback?: boolean; vms?: string[] } = {}): TClusterSpecInput => {
  const vms = opts.vms ?? ["web1"];
  return {
    ...(opts.clusterFailback === false ? { cluster: { failback: false } } : {}),
    hosts: [
      { name: "h1", cpus: 32, memoryGiB: 256 },
      { name: "h2", cpus: 32, memoryGiB: 256 },
      { name: "h3", cpus: 32, memoryGiB: 256 },
    ],
    vms: vms.map((name) => ({ name, vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" as const })),
    placementGroups: [
      {
        name: "pref",
        type: "vm-host",
        enforcement: "should",
        vms,
        hosts: ["h1", "h2", "h3"],
        hostOrder: ["h1", "h2", "h3"],
        ...(opts.groupFailback !== undefined ? { failback: opts.groupFailback } : {}),
      },
    ],
  } as TClusterSpecInput;
};

const where = async (c: SimCluster, vm: string) => {
  const row = await c.t.db.vm.findUniqueOrThrow({ where: { name: vm }, include: { host: true } });
  return { host: row.host?.name ?? null, power: row.power };
};

/** h1 loses power, its VMs fail over (to h2, next in the order), then h1 comes back online. */
async function failAndReturnH1(c: SimCluster, beforeReturn?: () => Promise<unknown>) {
  await c.run(5);
  c.fleet.get("h1").powerLoss(c.clock.now());
  await c.run(45);
  expect((await where(c, "web1").catch(() => null))?.host ?? "h2").toBe("h2");
  await beforeReturn?.();
  c.fleet.get("h1").powerOn(c.clock.now());
  await c.run(3);
  expect((await c.t.db.host.findUniqueOrThrow({ where: { name: "h1" } })).state).toBe("online");
}

describe("failback after a failover", () => {
  it("a standard VM that failed over to h2 live-migrates back to h1 once h1 is back", async () => {
    c = await createSimCluster(spec());
    await failAndReturnH1(c);
    // Within one failback pass (10 s) plus the migration (2 s).
    await c.run(15);
    expect(await where(c, "web1")).toEqual({ host: "h1", power: "running" });
    expect(c.running("web1")).toEqual(["h1"]);
    const ev = await c.t.db.event.findFirstOrThrow({ where: { kind: "vm-failback-sent" } });
    expect(ev.message).toMatch(/web1 live-migrates back h2 → h1 \(failback\)/);
    const cmd = await c.t.db.agentCommand.findFirstOrThrow({ where: { kind: "migrate-vm" }, include: { host: true } });
    expect(cmd.host.name).toBe("h2");
    expect(await c.t.db.event.count({ where: { kind: "vm-migrated" } })).toBe(1);
  });

  it("paced: one move per host per 30 s, so two VMs come back one after the other", async () => {
    c = await createSimCluster(spec({ vms: ["a1", "a2"] }));
    await failAndReturnH1(c);
    await c.run(15);
    const first = await Promise.all(["a1", "a2"].map((v) => where(c!, v)));
    expect(first.filter((w) => w.host === "h1")).toHaveLength(1);
    await c.run(40);
    expect(await where(c, "a1")).toEqual({ host: "h1", power: "running" });
    expect(await where(c, "a2")).toEqual({ host: "h1", power: "running" });
    const sent = await c.t.db.event.findMany({ where: { kind: "vm-failback-sent" }, orderBy: { at: "asc" } });
    expect(sent).toHaveLength(2);
    expect(sent[1].at.getTime() - sent[0].at.getTime()).toBeGreaterThanOrEqual(30_000);
  });

  it("a VM an admin placed stays where it is", async () => {
    c = await createSimCluster(spec());
    await failAndReturnH1(c, () => c!.t.db.vm.update({ where: { name: "web1" }, data: { placedByAdmin: true } }));
    await c.run(25);
    expect(await where(c, "web1")).toEqual({ host: "h2", power: "running" });
    expect(await c.t.db.event.count({ where: { kind: "vm-failback-sent" } })).toBe(0);
  });

  it("a group that opts out stays; a group that opts in moves back even with the cluster's failback off", async () => {
    c = await createSimCluster(spec({ groupFailback: false }));
    await failAndReturnH1(c);
    await c.run(25);
    expect(await where(c, "web1")).toEqual({ host: "h2", power: "running" });
    await c.dispose();

    c = await createSimCluster(spec({ clusterFailback: false, groupFailback: true }));
    await failAndReturnH1(c);
    await c.run(15);
    expect(await where(c, "web1")).toEqual({ host: "h1", power: "running" });
  });

  it("cluster failback off and no group opting in: no pass at all", async () => {
    c = await createSimCluster(spec({ clusterFailback: false }));
    await failAndReturnH1(c);
    const r = await c.controller.exclusive(() => runFailback(c!.controller, { passIntervalMs: 0 }));
    expect(r).toEqual({ ran: false, moved: [] });
    expect(await where(c, "web1")).toEqual({ host: "h2", power: "running" });
  });
});

describe("maintenance exit failback", () => {
  const plain: TClusterSpecInput = {
    hosts: [
      { name: "h1", cpus: 32, memoryGiB: 256 },
      { name: "h2", cpus: 32, memoryGiB: 256 },
    ],
    vms: [
      { name: "m1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "medium" },
      { name: "m2", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "medium" },
    ],
  };

  it("selects the VMs maintenance moved away that are still where it sent them, and migrates them back", async () => {
    c = await createSimCluster(plain);
    await c.run(3);
    await enterMaintenance(c.hostIds.h1, {}, c.controller);
    await c.run(5);
    expect(await where(c, "m1")).toEqual({ host: "h2", power: "running" });
    // An admin moved m2 on purpose: it is not brought back.
    await c.t.db.vm.update({ where: { name: "m2" }, data: { placedByAdmin: true } });
    // Host online again (as exitMaintenance does), then the selection.
    await c.controller.exclusive(async () => {
      await c!.t.db.host.update({ where: { id: c!.hostIds.h1 }, data: { state: "online" } });
      c!.controller.markHostState(c!.hostIds.h1, "online");
    });
    const sel = await c.controller.exclusive(() => selectMaintenanceReturns(c!.controller, c!.hostIds.h1));
    expect(sel.map((s) => s.vm)).toEqual(["m1"]);
    const moved = await c.controller.exclusive(() => failbackAfterMaintenance(c!.controller, c!.hostIds.h1));
    expect(moved).toEqual([{ vm: "m1", from: "h2", to: "h1" }]);
    await c.run(5);
    expect(await where(c, "m1")).toEqual({ host: "h1", power: "running" });
    expect(await where(c, "m2")).toEqual({ host: "h2", power: "running" });
  });

  it("selects nothing when the cluster's failback is off or the host is still in maintenance", async () => {
    c = await createSimCluster(plain);
    await c.run(3);
    await enterMaintenance(c.hostIds.h1, {}, c.controller);
    await c.run(5);
    expect(await c.controller.exclusive(() => selectMaintenanceReturns(c!.controller, c!.hostIds.h1))).toEqual([]);
    await c.t.db.host.update({ where: { id: c.hostIds.h1 }, data: { state: "online" } });
    await c.t.db.cluster.updateMany({ data: { failback: false } });
    expect(await c.controller.exclusive(() => selectMaintenanceReturns(c!.controller, c!.hostIds.h1))).toEqual([]);
  });
});
