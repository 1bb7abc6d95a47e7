// Registration reconciles a host's inventory with what its agent discovered (lib/server/agent/
// reconcile.ts), on a real SQLite store through the agent service (the controller's turn).
import { afterEach, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { loadSnapshot } from "@/lib/server/snapshot";
import { haEligibility } from "@/lib/engine/ha";
import { registerAgent } from "@/lib/server/agent/service";
import { addDiscoveredDevice, listDeviceReconciliation, replaceWithDiscovered, setDiscoveredIgnored } from "@/lib/server/agent/reconcile";
import { ZRegisterRequest, type TRegisterRequest } from "@/lib/schemas/agent";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

const L4 = "NVIDIA L4";
const A0 = "0000:18:00.0";
const A1 = "0000:28:00.0";

async function setup() {
  t = await createTestDb();
  const imp = await importCluster(
    t.db,
    {
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 128, gpus: [{ model: L4 }, { model: L4 }], nics: [{ name: "ens1f0", role: "vm", sriovVfs: 4, tag: "fast" }] },
        { name: "h2", cpus: 32, memoryGiB: 128, gpus: [{ model: L4 }], nics: [{ name: "ens1f0", role: "vm", sriovVfs: 4, tag: "fast" }] },
        { name: "h3", cpus: 32, memoryGiB: 128 },
        { name: "h4", cpus: 32, memoryGiB: 128 },
      ],
      vms: [
        { name: "g1", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "high", devices: [{ type: "gpu", tag: L4 }] },
        { name: "n1", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "high", devices: [{ type: "sriov", tag: "fast" }] },
        { name: "g2", vcpus: 2, memoryGiB: 4, host: "h2", haPriority: "high", devices: [{ type: "gpu", tag: L4 }] },
      ],
    },
    { now: new Date(0) },
  );
  const clock = new VirtualClock(1_000_000);
  const controller = new HaController({ db: t.db, clock, log: silentLogger });
  await controller.start();
  return { deps: { db: t.db, controller }, imp, clock, db: t.db };
}

const gpu = (identity: string, pciAddress: string, name = "h1-gpu0") => ({ name, model: L4, pciAddress, identity, vendor: "NVIDIA", mode: "compute" as const });
const nic = (name: string, identity: string, extra: Partial<NonNullable<TRegisterRequest["nics"]>[number]> = {}) => ({ name, linkUp: true, sriovVfs: 4, identity, pciAddress: "0000:3b:00.0", ...extra });

/** h1 as it is: both L4s at their slots (serials S0, S1), ens1f0, and an onboard eno1 the inventory lacks. */
function h1Report(over: Partial<TRegisterRequest> = {}): TRegisterRequest {
  return {
    hostName: "h1",
    reconcile: true,
    gpus: [gpu("dsn:00-00-00-00-00-00-00-a0", A0, "h1-gpu0"), gpu("dsn:00-00-00-00-00-00-00-a1", A1, "h1-gpu1")],
    nics: [nic("ens1f0", "mac:aa:bb:cc:00:00:01"), nic("eno1", "mac:aa:bb:cc:00:00:09", { sriovVfs: 0, pciAddress: "0000:02:00.0", speedMbps: 10000 })],
    ...over,
  };
}

describe("inventory reconciliation at registration", () => {
  it("binds identities the first time, lists the unknown NIC as discovered, and changes nothing when registered again", async () => {
    const { deps, db } = await setup();
    const r = await registerAgent(deps, h1Report());
    expect(r.inventory).toMatchObject({ missing: [], back: [], added: [], discovered: ["eno1"] });
    expect(r.inventory!.gpus).toEqual([
      { identity: "dsn:00-00-00-00-00-00-00-a0", name: "h1-gpu0" },
      { identity: "dsn:00-00-00-00-00-00-00-a1", name: "h1-gpu1" },
    ]);
    expect(r.inventory!.nics).toEqual([{ identity: "mac:aa:bb:cc:00:00:01", name: "ens1f0" }]);
    const g0 = await db.gpu.findFirstOrThrow({ where: { name: "h1-gpu0" } });
    expect(g0).toMatchObject({ identity: "dsn:00-00-00-00-00-00-00-a0", missingSince: null });
    const found = await db.discoveredDevice.findMany();
    expect(found.map((d) => [d.kind, d.name, d.status])).toEqual([["nic", "eno1", "new"]]);
    const events = await db.event.count({ where: { kind: { startsWith: "device-" } } });

    const again = await registerAgent(deps, h1Report());
    expect(again.inventory).toMatchObject({ missing: [], back: [], discovered: ["eno1"] });
    expect(await db.discoveredDevice.count()).toBe(1);
    expect(await db.event.count({ where: { kind: { startsWith: "device-" } } })).toBe(events);
    // The simulated fleet's registration (no `reconcile`) touches nothing.
    await registerAgent(deps, { hostName: "h1", nics: [{ name: "ens1f0", linkUp: true }] });
    expect(await db.gpu.count({ where: { missingSince: { not: null } } })).toBe(0);
  });

  it("a different card in a known slot is never re-mapped: the old one is missing, its VM is told what it lost, eligibility drops it", async () => {
    const { deps, db, imp, clock } = await setup();
    await registerAgent(deps, h1Report());
    const alloc = await db.deviceAllocation.findFirstOrThrow({ where: { vmId: imp.vmIds.g1 }, include: { gpu: true } });
    const held = alloc.gpu!;
    const other = held.name === "h1-gpu0" ? "h1-gpu1" : "h1-gpu0";
    const heldAddr = held.pciAddress;
    const before = await loadSnapshot(db);
    expect(before.hosts.find((h) => h.name === "h1")!.gpus).toHaveLength(2);

    // The card g1 holds was swapped for another one (new serial) in the same slot.
    clock.advance(60_000);
    const report = h1Report({
      gpus: [gpu("dsn:00-00-00-00-00-00-00-ff", heldAddr, held.name), gpu(held.name === "h1-gpu0" ? "dsn:00-00-00-00-00-00-00-a1" : "dsn:00-00-00-00-00-00-00-a0", held.name === "h1-gpu0" ? A1 : A0, other)],
    });
    const r = await registerAgent(deps, report);
    expect(r.inventory!.missing).toEqual([held.name]);
    expect(r.inventory!.discovered.sort()).toEqual(["eno1", held.name].sort());
    expect(r.inventory!.gpus.map((g) => g.name)).toEqual([other]);
    const row = await db.gpu.findUniqueOrThrow({ where: { id: held.id } });
    expect(row.identity).toBe(held.identity); // not re-mapped onto the new card
    expect(row.missingSince?.getTime()).toBe(1_060_000);
    const found = await db.discoveredDevice.findFirstOrThrow({ where: { kind: "gpu" } });
    expect(found).toMatchObject({ identity: "dsn:00-00-00-00-00-00-00-ff", pciAddress: heldAddr, status: "new" });

    const alert = await db.alert.findFirstOrThrow({ where: { kind: "DEVICE_FAILED", vmId: imp.vmIds.g1, status: "open" } });
    expect(alert.message).toContain(`g1 lost GPU ${held.name} (${L4} at ${heldAddr})`);
    expect(await db.alert.count({ where: { kind: "DEVICE_FAILED", vmId: imp.vmIds.n1 } })).toBe(0);
    const after = await loadSnapshot(db);
    expect(after.hosts.find((h) => h.name === "h1")!.gpus.map((g) => g.name)).toEqual([other]);
    const events = await db.event.findMany({ where: { kind: { in: ["device-missing", "device-discovered"] }, at: { gt: new Date(1_000_000) } }, orderBy: { kind: "asc" } });
    expect(events.map((e) => e.kind)).toEqual(["device-discovered", "device-missing"]);
    expect(events[0].message).toContain(`found GPU ${held.name}`); // eno1 was announced at the first registration only

    // Adding the new card as a GPU of its own is refused while the missing one holds its slot.
    await expect(addDiscoveredDevice({ id: found.id }, { db })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining(`${held.name} is at ${heldAddr}`) });
    // The admin's explicit re-map: the missing row becomes the new card (name, tag, allocation kept).
    await replaceWithDiscovered({ id: found.id, replaces: held.id }, { db, actor: "admin@test" });
    const replaced = await db.gpu.findUniqueOrThrow({ where: { id: held.id } });
    expect(replaced).toMatchObject({ identity: "dsn:00-00-00-00-00-00-00-ff", missingSince: null, name: held.name });
    expect(await db.deviceAllocation.count({ where: { gpuId: held.id, vmId: imp.vmIds.g1 } })).toBe(1);
    expect(await db.alert.count({ where: { kind: "DEVICE_FAILED", vmId: imp.vmIds.g1, status: "open" } })).toBe(0);
    expect(await db.auditLog.count({ where: { action: "replace-gpu", actor: "admin@test" } })).toBe(1);
    const next = await registerAgent(deps, report);
    expect(next.inventory).toMatchObject({ missing: [], discovered: ["eno1"] });
    expect(next.inventory!.gpus.map((g) => g.name).sort()).toEqual(["h1-gpu0", "h1-gpu1"]);

    // Eligibility is computed without missing devices: g2 (on h2) fails over to h1's free L4 —
    // until h1's agent reports neither card.
    const eligible = async () => new Map(haEligibility(await loadSnapshot(db)).map((e) => [e.vmId, e]));
    expect((await eligible()).get(imp.vmIds.g2)).toMatchObject({ eligible: true });
    const none = await registerAgent(deps, h1Report({ gpus: [] }));
    expect(none.inventory!.missing.sort()).toEqual(["h1-gpu0", "h1-gpu1"]);
    const g2 = (await eligible()).get(imp.vmIds.g2)!;
    expect(g2.eligible).toBe(false);
    expect(g2.reasons.join(" ")).toMatch(/no other host has 1 .*GPU.*L4/);
  });

  it("a card that moved slot keeps its row; one that went away and came back is missing, then back", async () => {
    const { deps, db, imp } = await setup();
    await registerAgent(deps, h1Report());
    // gpu1 moved to 0000:af:00.0 (its serial says it is the same card).
    const moved = await registerAgent(deps, h1Report({ gpus: [gpu("dsn:00-00-00-00-00-00-00-a0", A0), gpu("dsn:00-00-00-00-00-00-00-a1", "0000:af:00.0", "h1-gpu1")] }));
    expect(moved.inventory).toMatchObject({ missing: [], discovered: ["eno1"] });
    expect((await db.gpu.findFirstOrThrow({ where: { name: "h1-gpu1" } })).pciAddress).toBe("0000:af:00.0");
    // The SR-IOV NIC is gone (pulled): n1's VF is lost.
    const gone = await registerAgent(deps, h1Report({ nics: [nic("eno1", "mac:aa:bb:cc:00:00:09", { sriovVfs: 0 })] }));
    expect(gone.inventory!.missing).toEqual(["ens1f0"]);
    const a = await db.alert.findFirstOrThrow({ where: { kind: "DEVICE_FAILED", vmId: imp.vmIds.n1, status: "open" } });
    expect(a.message).toMatch(/^n1 lost VF \d of NIC ens1f0 on h1/);
    expect((await loadSnapshot(db)).hosts.find((h) => h.name === "h1")!.nics.find((n) => n.name === "ens1f0")!.sriovVfs).toBe(0);
    // Back (under another interface name, same permanent MAC): the row follows, the alert resolves.
    const back = await registerAgent(deps, h1Report({ nics: [nic("ens2f0", "mac:aa:bb:cc:00:00:01"), nic("eno1", "mac:aa:bb:cc:00:00:09", { sriovVfs: 0 })] }));
    expect(back.inventory).toMatchObject({ back: ["ens1f0"], missing: [] });
    expect(back.inventory!.nics).toEqual([{ identity: "mac:aa:bb:cc:00:00:01", name: "ens2f0" }]);
    expect(await db.nic.count({ where: { name: "ens2f0", tag: "fast", missingSince: null } })).toBe(1);
    expect(await db.alert.count({ where: { kind: "DEVICE_FAILED", vmId: imp.vmIds.n1, status: "open" } })).toBe(0);
    expect(await db.alert.count({ where: { kind: "DEVICE_FAILED", vmId: imp.vmIds.n1, status: "resolved", resolvedBy: "auto" } })).toBe(1);
  });

  it("an admin adds or ignores a discovered device; --auto-add fills a new host only", async () => {
    const { deps, db, imp } = await setup();
    await registerAgent(deps, h1Report());
    const eno1 = await db.discoveredDevice.findFirstOrThrow({ where: { name: "eno1" } });
    await setDiscoveredIgnored({ id: eno1.id, ignored: true }, { db });
    const ignored = await registerAgent(deps, h1Report());
    expect(ignored.inventory!.discovered).toEqual([]); // still recorded, not announced again
    expect((await listDeviceReconciliation(db, imp.hostIds.h1)).discovered).toMatchObject([{ name: "eno1", status: "ignored", data: { speedMbps: 10000 } }]);
    const added = await addDiscoveredDevice({ id: eno1.id }, { db });
    expect(added).toMatchObject({ kind: "nic", name: "eno1" });
    expect(await db.nic.findFirstOrThrow({ where: { hostId: imp.hostIds.h1, name: "eno1" } })).toMatchObject({ identity: "mac:aa:bb:cc:00:00:09", speedGbps: 10, sriovVfs: 0 });
    expect(await db.discoveredDevice.count()).toBe(0);
    await expect(addDiscoveredDevice({}, { db })).rejects.toMatchObject({ code: "VALIDATION", fieldErrors: { id: expect.any(Array) } });
    await expect(addDiscoveredDevice({ id: eno1.id }, { db })).rejects.toMatchObject({ code: "NOT_FOUND" });

    // h4 has no devices: auto-add takes everything it reports.
    const a10 = { name: "h4-gpu1", model: "GA102GL [A10/A10G]", pciAddress: "0000:42:00.0", identity: "pci:10de:2236:10de:1482@0000:42:00.0", vendor: "NVIDIA Corporation", mode: "compute" as const };
    const h4 = await registerAgent(deps, { hostName: "h4", reconcile: true, autoAdd: true, gpus: [gpu("pci:10de:27b8:10de:16ca@0000:41:00.0", "0000:41:00.0", "h4-gpu0"), a10], nics: [nic("ens3f0", "mac:aa:bb:cc:00:04:01")] });
    expect(h4.inventory).toMatchObject({ added: ["h4-gpu0", "h4-gpu1", "ens3f0"], discovered: [], missing: [] });
    // pci.ids' names as the inventory keeps them: the vendor's short name, no "/" in a model (tags use it).
    expect(await db.gpu.findFirstOrThrow({ where: { name: "h4-gpu1" } })).toMatchObject({ vendor: "NVIDIA", model: "GA102GL [A10-A10G]" });
    const g = await db.gpu.findFirstOrThrow({ where: { hostId: imp.hostIds.h4, name: "h4-gpu0" } });
    expect(g).toMatchObject({ name: "h4-gpu0", model: L4, mode: "compute", identity: "pci:10de:27b8:10de:16ca@0000:41:00.0" });
    expect(await db.deviceTag.count({ where: { type: "gpu", name: { contains: "L4" } } })).toBeGreaterThan(0);
    // h1 has devices: auto-add does not add (they wait for an admin).
    const h1 = await registerAgent(deps, { ...h1Report(), autoAdd: true, nics: [...h1Report().nics!, nic("eno2", "mac:aa:bb:cc:00:00:0a", { sriovVfs: 0 })] });
    expect(h1.inventory).toMatchObject({ added: [], discovered: ["eno2"] });
    expect(h1.inventory!.autoAddSkipped).toMatch(/h1 already has devices/);
  });

  it("two devices reporting one identity are taken once (no store error)", async () => {
    const { deps, db } = await setup();
    const dup = "dsn:00-00-00-00-00-00-00-a0";
    const r = await registerAgent(deps, h1Report({ gpus: [gpu(dup, A0, "h1-gpu0"), gpu(dup, A1, "h1-gpu1"), gpu("dsn:00-00-00-00-00-00-00-b2", "0000:b2:00.0", "h1-gpu2"), gpu("dsn:00-00-00-00-00-00-00-b2", "0000:b3:00.0", "h1-gpu3")] }));
    expect(r.inventory!.gpus).toEqual([{ identity: dup, name: "h1-gpu0" }]);
    expect(r.inventory!.missing).toEqual(["h1-gpu1"]);
    expect(await db.discoveredDevice.count({ where: { kind: "gpu" } })).toBe(1);
  });

  it("a reconciling registration must carry every device's identity (a field-named error)", async () => {
    const { deps } = await setup();
    const bad = { hostName: "h1", reconcile: true, gpus: [{ name: "h1-gpu0", model: L4, pciAddress: A0 }], nics: [] };
    const p = ZRegisterRequest.safeParse(bad);
    expect(p.success).toBe(false);
    expect(p.error!.issues[0].path).toEqual(["gpus", 0, "identity"]);
    await expect(registerAgent(deps, bad)).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(registerAgent(deps, { hostName: "h1", reconcile: true, gpus: [] })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});
