// Network, VM and placement-group services against a real throwaway SQLite store,
// plus the store's own guards against double allocation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { AppError } from "@/lib/server/errors";
import { createHost } from "@/lib/server/inventory/hosts";
import { createGpu } from "@/lib/server/inventory/gpus";
import { createNic } from "@/lib/server/inventory/nics";
import { createNetwork, deleteNetwork, updateNetwork } from "@/lib/server/inventory/networks";
import { createVm, deleteVm, updateVm } from "@/lib/server/inventory/vms";
import { createPlacementGroup, deletePlacementGroup, listPlacementGroups, updatePlacementGroup } from "@/lib/server/inventory/placement-groups";

let t: TestDb;
let ctx: { db: TestDb["db"] };

beforeAll(async () => {
  t = await createTestDb();
  ctx = { db: t.db };
});
afterAll(async () => t?.cleanup());

async function refused(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected the call to be refused");
}

async function counts() {
  const db = t.db;
  const [vms, nets, nics, leases, reqs, disks, groups, audit] = await Promise.all([
    db.vm.count(),
    db.network.count(),
    db.vmNic.count(),
    db.ipLease.count(),
    db.deviceRequest.count(),
    db.disk.count(),
    db.placementGroup.count(),
    db.auditLog.count(),
  ]);
  return { vms, nets, nics, leases, reqs, disks, groups, audit };
}

let seq = 0;
const uniq = (p: string) => `${p}${++seq}`;

const managed = (name = uniq("net")) => ({
  name,
  vlan: 120,
  managed: true,
  cidr: "10.20.0.0/24",
  gateway: "10.20.0.1",
  dns: "10.20.0.2, 10.20.0.3",
  poolStart: "10.20.0.100",
  poolEnd: "10.20.0.102",
});

describe("networks", () => {
  it("stores managed and unmanaged networks", async () => {
    const m = await createNetwork(managed("prod-a"), ctx);
    expect(m).toMatchObject({ name: "prod-a", managed: true, vlan: 120, dns: "10.20.0.2,10.20.0.3", poolStart: "10.20.0.100" });
    const u = await createNetwork({ name: "ext-dhcp", managed: "false", vlan: "4094" }, ctx);
    expect(u).toMatchObject({ managed: false, cidr: null, vlan: 4094 });
  });

  it.each([
    [{ name: "n", vlan: 0 }, "vlan"],
    [{ name: "n", vlan: 4095 }, "vlan"],
    [{ name: "n", managed: false, cidr: "10.0.0.0/24" }, "cidr"],
    [{ ...managed("n"), cidr: undefined }, "cidr"],
    [{ ...managed("n"), cidr: "10.20.0.0/33" }, "cidr"],
    [{ ...managed("n"), gateway: "10.21.0.1" }, "gateway"],
    [{ ...managed("n"), dns: "" }, "dns"],
    [{ ...managed("n"), dns: "8.8.8" }, "dns"],
    [{ ...managed("n"), poolStart: undefined }, "poolStart"],
    [{ ...managed("n"), poolEnd: "10.20.0.50" }, "poolEnd"],
    [{ ...managed("n"), gateway: "10.20.0.101" }, "gateway"],
  ])("refuses %j with a field error on %s and stores nothing", async (input, field) => {
    const before = await counts();
    const e = await refused(() => createNetwork(input, ctx));
    expect(e.code).toBe("VALIDATION");
    expect(e.fieldErrors?.[field]?.[0]).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  it("refuses a duplicate network name (field name)", async () => {
    await createNetwork({ name: "dup-net" }, ctx);
    const e = await refused(() => createNetwork({ name: "dup-net" }, ctx));
    expect(e.fieldErrors?.name?.[0]).toContain("already exists");
  });

  it("keeps leases valid on update; refuses deleting a network in use", async () => {
    const n = await createNetwork(managed(), ctx);
    const vm = await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1, nics: [{ networkId: n.id }] }, ctx);
    const e = await refused(() => updateNetwork({ id: n.id, ...managed(n.name), cidr: "10.30.0.0/24", gateway: "10.30.0.1", poolStart: "10.30.0.10", poolEnd: "10.30.0.20" }, ctx));
    expect(e.fieldErrors?.cidr?.[0]).toContain("10.20.0.100");
    const e2 = await refused(() => updateNetwork({ id: n.id, name: n.name, managed: false }, ctx));
    expect(e2.fieldErrors?.managed?.[0]).toContain("leased");
    const ok = await updateNetwork({ id: n.id, ...managed(n.name), poolEnd: "10.20.0.200", vlan: 121 }, ctx);
    expect(ok).toMatchObject({ vlan: 121, poolEnd: "10.20.0.200" });
    const d = await refused(() => deleteNetwork({ id: n.id }, ctx));
    expect(d.message).toContain("1 VM NIC");
    await deleteVm({ id: vm.id }, ctx);
    await deleteNetwork({ id: n.id }, ctx);
    expect(await t.db.network.count({ where: { id: n.id } })).toBe(0);
  });
});

describe("VMs", () => {
  it("creates a VM powered off with devices, NICs (leased), disks and affinity", async () => {
    const h = await createHost({ name: uniq("h"), cpus: 32, memoryGiB: 256 }, ctx);
    const g = await createGpu({ hostId: h.id, model: "NVIDIA L40S", pciAddress: "0000:3b:00.0" }, ctx);
    const net = await createNetwork(managed(), ctx);
    const ext = await createNetwork({ name: uniq("ext") }, ctx);
    const vm = await createVm(
      {
        name: "render-01",
        vcpus: "8",
        memoryGiB: "32",
        haPriority: "high",
        hostAffinity: h.id,
        deviceRequests: [
          { type: "gpu", tag: "NVIDIA L40S", count: "1", gpuId: g.id },
          { type: "sriov", tag: "trading-a", count: "2" },
        ],
        nics: [{ networkId: net.id }, { networkId: net.id, staticIp: "10.20.0.50" }, { networkId: ext.id }],
        disks: [{ sizeGiB: "100" }, { sizeGiB: 20, bus: "sata" }],
      },
      ctx,
    );
    expect(vm).toMatchObject({ name: "render-01", vcpus: 8, memoryMiB: 32768, haPriority: "high", power: "stopped", hostId: null, hostAffinity: [h.id] });
    expect(vm.deviceRequests).toEqual([
      { type: "gpu", tag: "NVIDIA L40S", count: 1, gpuId: g.id },
      { type: "sriov", tag: "trading-a", count: 2, gpuId: null },
    ]);
    expect(vm.nics.map((n) => n.lease)).toEqual([{ address: "10.20.0.100", static: false }, { address: "10.20.0.50", static: true }, null]);
    expect(vm.nics[0].mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(vm.disks).toEqual([{ sizeGiB: 100, bus: "virtio-scsi" }, { sizeGiB: 20, bus: "sata" }]);
    expect(await t.db.auditLog.count({ where: { action: "create-vm", entity: `vm:${vm.id}` } })).toBe(1);
  });

  it.each([
    [{ name: "v", vcpus: 0, memoryGiB: 1 }, "vcpus"],
    [{ name: "v", vcpus: 513, memoryGiB: 1 }, "vcpus"],
    [{ name: "-v", vcpus: 1, memoryGiB: 1 }, "name"],
    [{ name: "v_1", vcpus: 1, memoryGiB: 1 }, "name"],
    [{ name: "v", vcpus: 1 }, "memoryMiB"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, haPriority: "urgent" }, "haPriority"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, deviceRequests: [{ type: "sriov", tag: "bad tag!" }] }, "deviceRequests.0.tag"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, deviceRequests: [{ type: "nvme", tag: "x" }] }, "deviceRequests.0.type"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, deviceRequests: [{ type: "gpu", tag: "x", count: 17 }] }, "deviceRequests.0.count"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, deviceRequests: [{ type: "sriov", tag: "x", gpuId: "g" }] }, "deviceRequests.0.gpuId"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, disks: [{ sizeGiB: 0 }] }, "disks.0.sizeGiB"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, disks: [{ sizeGiB: 65537 }] }, "disks.0.sizeGiB"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, disks: [{ sizeGiB: 1, bus: "nvme" }] }, "disks.0.bus"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, nics: [{ networkId: "nope" }] }, "nics.0.networkId"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, hostAffinity: ["nope"] }, "hostAffinity"],
    [{ name: "v", vcpus: 1, memoryGiB: 1, deviceRequests: [{ type: "gpu", tag: "x", gpuId: "nope" }] }, "deviceRequests.0.gpuId"],
  ])("refuses %j with a field error on %s and stores nothing", async (input, field) => {
    const before = await counts();
    const e = await refused(() => createVm(input, ctx));
    expect(e.fieldErrors?.[field]?.[0]).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  it("refuses a static IP outside the CIDR, on the gateway or already leased; nothing stored", async () => {
    const net = await createNetwork(managed(), ctx);
    await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1, nics: [{ networkId: net.id, staticIp: "10.20.0.60" }] }, ctx);
    for (const [ip, says] of [["10.99.0.5", "outside"], ["10.20.0.1", "gateway"], ["10.20.0.60", "in use"], ["10.20.0.255", "broadcast"]]) {
      const before = await counts();
      const e = await refused(() => createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1, nics: [{ networkId: net.id, staticIp: ip }] }, ctx));
      expect(e.fieldErrors?.["nics.0.staticIp"]?.[0]).toContain(says);
      expect(await counts()).toEqual(before);
    }
  });

  it("refuses when the pool is exhausted (field on the NIC's network)", async () => {
    const net = await createNetwork(managed(), ctx); // pool of 3
    await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1, nics: [{ networkId: net.id }, { networkId: net.id }, { networkId: net.id }] }, ctx);
    const e = await refused(() => createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1, nics: [{ networkId: net.id }] }, ctx));
    expect(e.fieldErrors?.["nics.0.networkId"]?.[0]).toContain("no free address");
  });

  it("refuses a duplicate VM name (field name)", async () => {
    await createVm({ name: "dup-vm", vcpus: 1, memoryGiB: 1 }, ctx);
    const before = await counts();
    const e = await refused(() => createVm({ name: "dup-vm", vcpus: 1, memoryGiB: 1 }, ctx));
    expect(e.fieldErrors?.name?.[0]).toContain("already exists");
    expect(await counts()).toEqual(before);
  });

  it("two racing creates of the same name: one wins, the other gets a field error on name", async () => {
    const results = await Promise.allSettled([1, 2].map(() => createVm({ name: "race-vm", vcpus: 1, memoryGiB: 1 }, ctx)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(AppError);
    expect((lost.reason as AppError).fieldErrors?.name?.[0]).toBeTruthy();
    expect(await t.db.vm.count({ where: { name: "race-vm" } })).toBe(1);
  });

  it("updates a stopped VM; keeps the lease of an unchanged NIC", async () => {
    const net = await createNetwork(managed(), ctx);
    const vm = await createVm({ name: uniq("vm"), vcpus: 2, memoryGiB: 4, nics: [{ networkId: net.id }], deviceRequests: [{ type: "gpu", tag: "NVIDIA L4" }] }, ctx);
    const u = await updateVm(
      {
        id: vm.id,
        name: vm.name,
        vcpus: 4,
        memoryMiB: 8192,
        nics: [{ networkId: net.id }, { networkId: net.id, staticIp: "10.20.0.77" }],
        deviceRequests: [{ type: "vgpu", tag: "NVIDIA L4/L4-2Q", count: 2 }],
        disks: [{ sizeGiB: 40 }],
      },
      ctx,
    );
    expect(u).toMatchObject({ vcpus: 4, memoryMiB: 8192 });
    expect(u.nics[0].id).toBe(vm.nics[0].id);
    expect(u.nics.map((n) => n.lease?.address)).toEqual(["10.20.0.100", "10.20.0.77"]);
    expect(u.deviceRequests).toEqual([{ type: "vgpu", tag: "NVIDIA L4/L4-2Q", count: 2, gpuId: null }]);
    const shrunk = await updateVm({ id: vm.id, name: vm.name, vcpus: 4, memoryMiB: 8192, nics: [] }, ctx);
    expect(shrunk.nics).toEqual([]);
    expect(await t.db.ipLease.count({ where: { vmId: vm.id } })).toBe(0);
  });

  it("GPU configuration changes only while the VM is off (field deviceRequests)", async () => {
    const h = await createHost({ name: uniq("h"), cpus: 32, memoryGiB: 256 }, ctx);
    const vm = await createVm({ name: uniq("vm"), vcpus: 2, memoryGiB: 4, deviceRequests: [{ type: "gpu", tag: "NVIDIA L4" }] }, ctx);
    await t.db.vm.update({ where: { id: vm.id }, data: { power: "running", hostId: h.id } });
    const e = await refused(() =>
      updateVm({ id: vm.id, name: vm.name, vcpus: 2, memoryGiB: 4, deviceRequests: [{ type: "gpu", tag: "NVIDIA L4", count: 2 }] }, ctx),
    );
    expect(e.code).toBe("CONFLICT");
    expect(e.fieldErrors?.deviceRequests?.[0]).toContain("GPU configuration can only change while the VM is off");
    expect(e.fieldErrors?.deviceRequests?.[0]).toContain("running");
    expect(await t.db.deviceRequest.findMany({ where: { vmId: vm.id }, select: { count: true } })).toEqual([{ count: 1 }]);
    const m = await refused(() => updateVm({ id: vm.id, name: vm.name, vcpus: 2, memoryGiB: 8, deviceRequests: [{ type: "gpu", tag: "NVIDIA L4" }] }, ctx));
    expect(m.fieldErrors?.memoryMiB?.[0]).toContain("only change while the VM is off");
    // Name and HA priority may change while it runs.
    const ok = await updateVm({ id: vm.id, name: `${vm.name}-x`, vcpus: 2, memoryGiB: 4, haPriority: "low", deviceRequests: [{ type: "gpu", tag: "NVIDIA L4" }] }, ctx);
    expect(ok).toMatchObject({ name: `${vm.name}-x`, haPriority: "low" });
    // And it cannot be deleted while running.
    const d = await refused(() => deleteVm({ id: vm.id }, ctx));
    expect(d.message).toContain("power it off");
  });

  it("deleting a VM releases its allocations, IP leases and storage sessions", async () => {
    const h = await createHost({ name: uniq("h"), cpus: 32, memoryGiB: 256 }, ctx);
    const nic = await createNic({ hostId: h.id, name: "ens1f0", sriovVfs: 4, tag: "del-tag" }, ctx);
    const net = await createNetwork(managed(), ctx);
    const vm = await createVm({ name: uniq("vm"), vcpus: 2, memoryGiB: 4, nics: [{ networkId: net.id }], disks: [{ sizeGiB: 10 }], deviceRequests: [{ type: "sriov", tag: "del-tag" }] }, ctx);
    // As a crashed VM would leave them (power error, still holding its host's devices).
    await t.db.vm.update({ where: { id: vm.id }, data: { power: "error", hostId: h.id } });
    await t.db.deviceAllocation.create({ data: { deviceKey: `vf:${nic.id}:0`, vmId: vm.id, hostId: h.id, type: "sriov", tag: "del-tag", nicId: nic.id, vf: 0 } });
    await t.db.storageSession.createMany({ data: [0, 1].map((session) => ({ vmId: vm.id, diskIndex: 0, session, controllerHostId: h.id })) });
    await deleteVm({ id: vm.id }, ctx);
    expect(await t.db.vm.count({ where: { id: vm.id } })).toBe(0);
    expect(await t.db.deviceAllocation.count({ where: { vmId: vm.id } })).toBe(0);
    expect(await t.db.ipLease.count({ where: { vmId: vm.id } })).toBe(0);
    expect(await t.db.storageSession.count({ where: { vmId: vm.id } })).toBe(0);
    expect(await t.db.auditLog.count({ where: { action: "delete-vm", entity: `vm:${vm.id}` } })).toBe(1);
  });
});

describe("placement groups", () => {
  it("creates, updates, lists and deletes groups of each type", async () => {
    const h1 = await createHost({ name: uniq("h"), cpus: 8, memoryGiB: 8 }, ctx);
    const a = await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1 }, ctx);
    const b = await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1 }, ctx);
    const cluster = await t.db.cluster.findFirstOrThrow();
    const zone = await t.db.zone.create({ data: { clusterId: cluster.id, name: "az-1", role: "primary" } });
    const vh = await createPlacementGroup({ name: "pin-to-h1", type: "vm-host", enforcement: "should", vmIds: a.id, hostIds: [h1.id] }, ctx);
    expect(vh).toMatchObject({ type: "vm-host", enforcement: "should", vms: [a.id], hosts: [h1.id] });
    const anti = await createPlacementGroup({ name: "spread", type: "vm-vm-anti-affinity", vmIds: [a.id, b.id] }, ctx);
    expect(anti.enforcement).toBe("must");
    const zg = await createPlacementGroup({ name: "stay-az1", type: "zone", zoneId: zone.id, vmIds: [b.id] }, ctx);
    expect(zg.zoneId).toBe(zone.id);
    const u = await updatePlacementGroup({ id: anti.id, name: "together", type: "vm-vm-affinity", vmIds: [a.id, b.id] }, ctx);
    expect(u).toMatchObject({ name: "together", type: "vm-vm-affinity" });
    const list = await listPlacementGroups(ctx);
    expect(list.map((g) => g.name)).toEqual(expect.arrayContaining(["pin-to-h1", "together", "stay-az1"]));
    await deletePlacementGroup({ id: vh.id }, ctx);
    expect(await t.db.placementGroup.count({ where: { id: vh.id } })).toBe(0);
    expect(await t.db.placementGroupVm.count({ where: { groupId: vh.id } })).toBe(0);
  });

  it.each([
    [{ name: "g", type: "vm-host", vmIds: ["x"] }, "hostIds"],
    [{ name: "g", type: "zone", vmIds: ["x"] }, "zoneId"],
    [{ name: "g", type: "vm-vm-affinity", vmIds: ["x"] }, "vmIds"],
    [{ name: "g", type: "vm-vm-affinity", vmIds: [] }, "vmIds"],
    [{ name: "g", type: "vm-vm-affinity", vmIds: ["x", "y"], hostIds: ["h"] }, "hostIds"],
    [{ name: "g", type: "ring", vmIds: ["x"] }, "type"],
    [{ name: "g", type: "vm-vm-affinity", enforcement: "may", vmIds: ["x", "y"] }, "enforcement"],
    [{ name: "g", type: "vm-vm-affinity", vmIds: ["nope-1", "nope-2"] }, "vmIds"],
  ])("refuses %j with a field error on %s and stores nothing", async (input, field) => {
    const before = await counts();
    const e = await refused(() => createPlacementGroup(input, ctx));
    expect(e.fieldErrors?.[field]?.[0]).toBeTruthy();
    expect(await counts()).toEqual(before);
  });
});

describe("store constraints under a forced double allocation", () => {
  it("refuses a second allocation of the same VF, GPU slot and passthrough GPU", async () => {
    const h = await createHost({ name: uniq("h"), cpus: 8, memoryGiB: 8 }, ctx);
    const nic = await createNic({ hostId: h.id, name: "ens1f0", sriovVfs: 4, tag: "dbl" }, ctx);
    const g = await createGpu({ hostId: h.id, model: "NVIDIA A16", pciAddress: "0000:3b:00.0", vgpuProfile: "A16-4Q", vgpuSlots: 4 }, ctx);
    const a = await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1 }, ctx);
    const b = await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1 }, ctx);
    const vf = (vmId: string) => ({ deviceKey: `vf:${nic.id}:2`, vmId, hostId: h.id, type: "sriov", tag: "dbl", nicId: nic.id, vf: 2 });
    await t.db.deviceAllocation.create({ data: vf(a.id) });
    await expect(t.db.deviceAllocation.create({ data: vf(b.id) })).rejects.toThrow();
    // Same (nic, vf) under a different key is refused too.
    await expect(t.db.deviceAllocation.create({ data: { ...vf(b.id), deviceKey: `other:${nic.id}:2` } })).rejects.toThrow();
    const slot = (vmId: string, key: string) => ({ deviceKey: key, vmId, hostId: h.id, type: "vgpu", tag: "NVIDIA A16/A16-4Q", gpuId: g.id, slot: 1 });
    await t.db.deviceAllocation.create({ data: slot(a.id, `vgpu:${g.id}:1`) });
    await expect(t.db.deviceAllocation.create({ data: slot(b.id, `vgpu:${g.id}:1b`) })).rejects.toThrow();
    expect(await t.db.deviceAllocation.count({ where: { vmId: b.id } })).toBe(0);
    // Two racing writers: exactly one wins.
    const racers = await Promise.allSettled([a.id, b.id].map((vmId) => t.db.deviceAllocation.create({ data: { ...vf(vmId), deviceKey: `vf:${nic.id}:3`, vf: 3 } })));
    expect(racers.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses a second IP lease of the same address on the same network", async () => {
    const net = await createNetwork(managed(), ctx);
    const a = await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1, nics: [{ networkId: net.id }] }, ctx);
    const b = await createVm({ name: uniq("vm"), vcpus: 1, memoryGiB: 1 }, ctx);
    const bNic = await t.db.vmNic.create({ data: { vmId: b.id, index: 0, networkId: net.id } });
    const leased = await t.db.ipLease.findFirstOrThrow({ where: { vmId: a.id } });
    await expect(t.db.ipLease.create({ data: { networkId: net.id, address: leased.address, vmId: b.id, vmNicId: bNic.id } })).rejects.toThrow();
    expect(await t.db.ipLease.count({ where: { networkId: net.id, address: leased.address } })).toBe(1);
  });
});
