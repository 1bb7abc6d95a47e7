import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoClusterSpec, largeClusterSpec } from "@/lib/server/demo-cluster";
import { isStoreEmpty, resetStore, seedDemo, seedLarge } from "@/lib/server/seed";
import { ZClusterSpec } from "@/lib/schemas/cluster-spec";
import { loadSnapshot } from "@/lib/server/snapshot";
import { haEligibility, placeVm } from "@/lib/engine";
import { AlertBook, alertKey } from "@/lib/server/ha/alerts";
import { createTestDb, type TestDb } from "./support/test-db";

describe("demo and large seeds", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("the demo spec has the promised shape", () => {
    const s = ZClusterSpec.parse(demoClusterSpec());
    expect(s.zones.map((z) => `${z.name}:${z.role}`)).toEqual(["az-a:primary", "az-b:secondary"]);
    expect(s.hosts.length).toBeGreaterThanOrEqual(8);
    const models = new Set(s.hosts.flatMap((h) => h.gpus.map((g) => g.model)));
    expect(models.size).toBe(3);
    expect(s.hosts.flatMap((h) => h.gpus).filter((g) => g.mode === "compute")).toHaveLength(1);
    const tags = new Set(s.hosts.flatMap((h) => h.nics.map((n) => n.tag).filter(Boolean)));
    expect([...tags].sort()).toEqual(["storage-fast", "trading-a", "trading-b"]);
    for (const h of s.hosts) expect(h.nics.filter((n) => n.role === "storage" && n.bond === "stor0")).toHaveLength(2);
    expect(s.networks.filter((n) => n.managed)).toHaveLength(2);
    expect(s.networks.filter((n) => !n.managed)).toHaveLength(1);
    expect(s.vms.length).toBeGreaterThanOrEqual(55);
    expect(s.vms.filter((v) => v.devices.length > 0).length).toBeGreaterThanOrEqual(15);
  });

  it("seeds the demo cluster with its history into an empty store", async () => {
    expect(await isStoreEmpty(t.db)).toBe(true);
    const r = await seedDemo(t.db, { now: new Date("2026-03-01T12:00:00Z") });
    expect(await isStoreEmpty(t.db)).toBe(false);
    expect(r.counts.hosts).toBe(10);
    const running = await t.db.vm.count({ where: { power: "running" } });
    expect(running).toBeGreaterThan(45);
    expect(await t.db.deviceAllocation.count()).toBeGreaterThanOrEqual(15);
    expect(await t.db.host.count({ where: { address: null } })).toBe(0);
    const incidents = await t.db.incident.findMany({ include: { events: true, alerts: true }, orderBy: { seq: "asc" } });
    expect(incidents.map((i) => i.kind)).toEqual(["host-failure", "network-fault", "vm-crash"]);
    for (const i of incidents) expect(i.events.length).toBeGreaterThan(0);
    const alerts = await t.db.alert.findMany();
    expect(new Set(alerts.map((a) => a.status))).toEqual(new Set(["open", "acknowledged", "resolved"]));
    for (const a of alerts) expect(a.activeKey === null).toBe(a.status === "resolved");
    // The open "not HA-eligible" alert is true: no other host has an A100 in compute mode.
    const ml = await t.db.vm.findUniqueOrThrow({ where: { name: "ml-train-01" }, include: { allocations: { include: { gpu: true } } } });
    expect(ml.allocations[0].tag).toBe("NVIDIA A100-PCIE-40GB.compute");
    expect(await t.db.gpu.count({ where: { mode: "compute", vgpuProfile: null } })).toBe(1);
    // A second seed would collide; reset empties the store.
    await resetStore(t.db);
    expect(await isStoreEmpty(t.db)).toBe(true);
    expect(await t.db.vm.count()).toBe(0);
    expect(await t.db.alert.count()).toBe(0);
  });

  it("every running demo VM is validly placed at t=0 and the ineligibility alerts match the engine", async () => {
    await t.cleanup();
    t = await createTestDb({ seed: "demo" });
    const snap = await loadSnapshot(t.db);
    const running = snap.vms.filter((v) => v.hostId);
    expect(running.length).toBeGreaterThan(45);
    for (const v of running) {
      const o = placeVm(snap, v.id, { onlyHostIds: [v.hostId!], purpose: "local-restart" });
      expect(o.kind, `${v.name}: ${o.kind === "unplaceable" ? JSON.stringify(o.rejections) : ""}`).toBe("placed");
    }
    const byId = new Map(snap.vms.map((v) => [v.id, v]));
    const ineligible = haEligibility(snap)
      .filter((e) => !e.eligible && byId.get(e.vmId)!.hostId && byId.get(e.vmId)!.haPriority !== "off")
      .map((e) => byId.get(e.vmId)!.name)
      .sort();
    const alerted = (await t.db.alert.findMany({ where: { kind: "VM_HA_INELIGIBLE", status: { not: "resolved" } } })).map((a) => a.entityName).sort();
    expect(alerted).toEqual(ineligible);
  });

  it("seeded live alerts carry the HA controller's dedup key, so it does not open twins", async () => {
    await seedDemo(t.db);
    const live = await t.db.alert.findMany({ where: { status: { not: "resolved" } } });
    expect(live.length).toBeGreaterThan(0);
    for (const a of live) expect(a.activeKey).toBe(alertKey(a.kind as never, { type: a.entityType as "vm", id: a.entityId }));
    const book = new AlertBook();
    await book.reload(t.db);
    const ml = await t.db.vm.findUniqueOrThrow({ where: { name: "ml-train-01" } });
    const opened = await book.raise(t.db, {
      kind: "VM_HA_INELIGIBLE",
      entity: { type: "vm", id: ml.id, name: ml.name },
      message: "ml-train-01 is not HA-eligible (re-evaluated)",
      at: new Date(),
    });
    expect(opened).toBe(false);
    expect(await t.db.alert.count({ where: { kind: "VM_HA_INELIGIBLE", entityId: ml.id } })).toBe(1);
  });

  it("seeds a scaled-down large cluster", async () => {
    const spec = ZClusterSpec.parse(largeClusterSpec({ hosts: 40, vms: 800 }));
    expect(spec.hosts).toHaveLength(40);
    const r = await seedLarge(t.db, { hosts: 40, vms: 800 });
    expect(r.counts.vms).toBe(800);
    expect(await t.db.vm.count({ where: { power: "stopped" } })).toBe(40);
    // every running VM has its disk sessions and an address
    expect(await t.db.storageSession.count()).toBe(760 * 2);
    expect(await t.db.ipLease.count()).toBe(760);
    expect(await t.db.deviceAllocation.count({ where: { type: "gpu" } })).toBe(4 * 2);
  });
});
