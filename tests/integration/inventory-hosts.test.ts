// Host, GPU and NIC services against a real throwaway SQLite store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { AppError } from "@/lib/server/errors";
import { createHost, deleteHost, updateHost } from "@/lib/server/inventory/hosts";
import { createGpu, deleteGpu, updateGpu } from "@/lib/server/inventory/gpus";
import { clearNicTag, createNic, deleteNic, setNicTag, updateNic } from "@/lib/server/inventory/nics";

let t: TestDb;
let ctx: { db: TestDb["db"] };

beforeAll(async () => {
  t = await createTestDb();
  ctx = { db: t.db };
});
afterAll(async () => t?.cleanup());

async function counts() {
  const db = t.db;
  const [hosts, gpus, nics, tags, audit] = await Promise.all([
    db.host.count(),
    db.gpu.count(),
    db.nic.count(),
    db.deviceTag.count(),
    db.auditLog.count(),
  ]);
  return { hosts, gpus, nics, tags, audit };
}

/** Runs fn, expects an AppError, returns it. */
async function refused(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected the call to be refused");
}

let seq = 0;
const uniq = (p: string) => `${p}${++seq}`;

async function newHost(extra: Record<string, unknown> = {}) {
  return createHost({ name: uniq("h"), cpus: 64, memoryGiB: 512, ...extra }, ctx);
}

/** A stopped VM row placed on `hostId` (as the HA controller would leave it while running). */
async function placedVm(hostId: string, power = "running") {
  const cluster = await t.db.cluster.findFirstOrThrow();
  return t.db.vm.create({ data: { clusterId: cluster.id, name: uniq("vm"), vcpus: 4, memoryMiB: 4096, power, hostId } });
}

describe("hosts", () => {
  it("stores a valid host with an audit row", async () => {
    const before = await counts();
    const h = await createHost({ name: "gpu-01", cpus: "96", memoryGiB: "768", address: "10.0.0.11", storageControllerPresent: "false" }, ctx);
    expect(h).toMatchObject({ name: "gpu-01", cpus: 96, memoryMiB: 768 * 1024, storageControllerPresent: false });
    const after = await counts();
    expect(after.hosts).toBe(before.hosts + 1);
    const log = await t.db.auditLog.findFirstOrThrow({ where: { entity: `host:${h.id}` } });
    expect(log).toMatchObject({ action: "create-host", actor: "system", before: null });
    expect(JSON.parse(log.after!)).toMatchObject({ name: "gpu-01" });
  });

  it.each([
    [{ name: "", cpus: 8, memoryGiB: 8 }, "name"],
    [{ name: "bad name!", cpus: 8, memoryGiB: 8 }, "name"],
    [{ name: "hx", cpus: 0, memoryGiB: 8 }, "cpus"],
    [{ name: "hx", cpus: 8 }, "memoryMiB"],
    [{ name: "hx", cpus: 8, memoryGiB: 8, zoneId: "no-such-zone" }, "zoneId"],
  ])("refuses %j with a field error on %s and stores nothing", async (input, field) => {
    const before = await counts();
    const e = await refused(() => createHost(input, ctx));
    expect(e.code).toBe("VALIDATION");
    expect(e.fieldErrors?.[field]?.[0]).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  it("refuses a duplicate name with a field error on name", async () => {
    const h = await newHost();
    const before = await counts();
    const e = await refused(() => createHost({ name: h.name, cpus: 8, memoryGiB: 8 }, ctx));
    expect(e.code).toBe("CONFLICT");
    expect(e.fieldErrors?.name?.[0]).toContain("already exists");
    expect(await counts()).toEqual(before);
  });

  it("updates a host, and refuses capacity below what its VMs hold", async () => {
    const h = await newHost();
    const u = await updateHost({ id: h.id, name: h.name, cpus: 32, memoryMiB: 65536 }, ctx);
    expect(u).toMatchObject({ cpus: 32, memoryMiB: 65536 });
    await placedVm(h.id);
    await placedVm(h.id);
    const e = await refused(() => updateHost({ id: h.id, name: h.name, cpus: 7, memoryMiB: 65536 }, ctx));
    expect(e.fieldErrors?.cpus?.[0]).toContain("cannot go below 8");
    expect((await t.db.host.findUniqueOrThrow({ where: { id: h.id } })).cpus).toBe(32);
  });

  it("refuses to delete a host with VMs, naming the count", async () => {
    const h = await newHost();
    for (let i = 0; i < 4; i++) await placedVm(h.id);
    const e = await refused(() => deleteHost({ id: h.id }, ctx));
    expect(e.code).toBe("CONFLICT");
    expect(e.message).toBe(`Host ${h.name} runs 4 VMs; move or delete them first`);
    expect(await t.db.host.count({ where: { id: h.id } })).toBe(1);
  });

  it("deletes an empty host with its GPUs and NICs", async () => {
    const h = await newHost();
    await createGpu({ hostId: h.id, model: "NVIDIA L4", pciAddress: "0000:3b:00.0" }, ctx);
    await createNic({ hostId: h.id, name: "ens1f0", sriovVfs: 8, tag: "fabric-a" }, ctx);
    await deleteHost({ id: h.id }, ctx);
    expect(await t.db.host.count({ where: { id: h.id } })).toBe(0);
    expect(await t.db.gpu.count({ where: { hostId: h.id } })).toBe(0);
    expect(await t.db.nic.count({ where: { hostId: h.id } })).toBe(0);
    expect(await t.db.auditLog.count({ where: { action: "delete-host", entity: `host:${h.id}` } })).toBe(1);
  });

  it("a missing host is NOT_FOUND", async () => {
    expect((await refused(() => deleteHost({ id: "nope" }, ctx))).code).toBe("NOT_FOUND");
  });
});

describe("GPUs", () => {
  it("creates a passthrough GPU with a generated name and its auto gpu tag row", async () => {
    const h = await newHost();
    const g = await createGpu({ hostId: h.id, model: "NVIDIA Tesla M60", pciAddress: "0000:3B:00.0" }, ctx);
    expect(g).toMatchObject({ name: `${h.name}-gpu0`, pciAddress: "0000:3b:00.0", mode: "graphics", vgpuProfile: null, tag: "NVIDIA Tesla M60" });
    expect(await t.db.deviceTag.findUnique({ where: { type_name: { type: "gpu", name: "NVIDIA Tesla M60" } } })).toMatchObject({ origin: "auto" });
    const g2 = await createGpu({ hostId: h.id, model: "NVIDIA Tesla M60", pciAddress: "0000:3c:00.0", vgpuProfile: "M60-2Q", vgpuSlots: 4 }, ctx);
    expect(g2.name).toBe(`${h.name}-gpu1`);
    expect(await t.db.deviceTag.findUnique({ where: { type_name: { type: "vgpu", name: "NVIDIA Tesla M60/M60-2Q" } } })).toMatchObject({ origin: "auto" });
  });

  it.each([
    [{ model: "NVIDIA L4", pciAddress: "3b:00.0" }, "pciAddress"],
    [{ model: "", pciAddress: "0000:3b:00.0" }, "model"],
    [{ model: "NVIDIA L4", pciAddress: "0000:3b:00.0", mode: "turbo" }, "mode"],
    [{ model: "NVIDIA L4", pciAddress: "0000:3b:00.0", vgpuProfile: "L4-2Q" }, "vgpuSlots"],
    [{ model: "NVIDIA L4", pciAddress: "0000:3b:00.0", vgpuProfile: "L4-2Q", vgpuSlots: 65 }, "vgpuSlots"],
    [{ model: "NVIDIA L4", pciAddress: "0000:3b:00.0", vgpuSlots: 2 }, "vgpuProfile"],
  ])("refuses %j with a field error on %s", async (input, field) => {
    const h = await newHost();
    const before = await counts();
    const e = await refused(() => createGpu({ hostId: h.id, ...input }, ctx));
    expect(e.fieldErrors?.[field]?.[0]).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  it("refuses a second GPU at the same PCI address (field pciAddress)", async () => {
    const h = await newHost();
    await createGpu({ hostId: h.id, model: "NVIDIA L4", pciAddress: "0000:3b:00.0" }, ctx);
    const e = await refused(() => createGpu({ hostId: h.id, model: "NVIDIA L4", pciAddress: "0000:3b:00.0" }, ctx));
    expect(e.fieldErrors?.pciAddress?.[0]).toContain("0000:3b:00.0");
  });

  it("repartitions a free GPU, lists VMs to reconfigure, refuses while allocated, refuses deletion while allocated", async () => {
    const h = await newHost();
    const g = await createGpu({ hostId: h.id, model: "NVIDIA A16", pciAddress: "0000:3b:00.0" }, ctx);
    const cluster = await t.db.cluster.findFirstOrThrow();
    const user = await t.db.vm.create({
      data: { clusterId: cluster.id, name: uniq("vm"), vcpus: 2, memoryMiB: 2048, deviceRequests: { create: [{ index: 0, type: "gpu", tag: "NVIDIA A16", count: 1 }] } },
    });
    const u = await updateGpu({ id: g.id, model: "NVIDIA A16", pciAddress: "0000:3b:00.0", vgpuProfile: "A16-4Q", vgpuSlots: 4 }, ctx);
    expect(u).toMatchObject({ tag: "NVIDIA A16/A16-4Q", tagType: "vgpu", previousTag: "NVIDIA A16" });
    expect(u.reconfigure.map((x) => x.id)).toEqual([user.id]);
    expect(await t.db.deviceTag.count({ where: { type: "vgpu", name: "NVIDIA A16/A16-4Q" } })).toBe(1);

    const vm = await placedVm(h.id);
    await t.db.deviceAllocation.create({
      data: { deviceKey: `vgpu:${g.id}:0`, vmId: vm.id, hostId: h.id, type: "vgpu", tag: "NVIDIA A16/A16-4Q", gpuId: g.id, slot: 0 },
    });
    const e = await refused(() => updateGpu({ id: g.id, model: "NVIDIA A16", pciAddress: "0000:3b:00.0", vgpuProfile: "A16-8Q", vgpuSlots: 2 }, ctx));
    expect(e.code).toBe("CONFLICT");
    expect(e.fieldErrors?.vgpuProfile?.[0]).toContain("1 device allocated");
    expect((await t.db.gpu.findUniqueOrThrow({ where: { id: g.id } })).vgpuProfile).toBe("A16-4Q");
    const d = await refused(() => deleteGpu({ id: g.id }, ctx));
    expect(d.code).toBe("CONFLICT");
    expect(await t.db.gpu.count({ where: { id: g.id } })).toBe(1);
  });

  it("switching mode needs the host in maintenance; then the tag gets .compute", async () => {
    const h = await newHost();
    const g = await createGpu({ hostId: h.id, model: "NVIDIA Tesla M60", pciAddress: "0000:3b:00.0" }, ctx);
    const e = await refused(() => updateGpu({ id: g.id, model: "NVIDIA Tesla M60", pciAddress: "0000:3b:00.0", mode: "compute" }, ctx));
    expect(e.fieldErrors?.mode?.[0]).toContain("maintenance");
    await t.db.host.update({ where: { id: h.id }, data: { state: "maintenance" } });
    const u = await updateGpu({ id: g.id, model: "NVIDIA Tesla M60", pciAddress: "0000:3b:00.0", mode: "compute" }, ctx);
    expect(u.tag).toBe("NVIDIA Tesla M60.compute");
  });

  it("deletes a free GPU", async () => {
    const h = await newHost();
    const g = await createGpu({ hostId: h.id, model: "NVIDIA L4", pciAddress: "0000:3b:00.0" }, ctx);
    await deleteGpu({ id: g.id }, ctx);
    expect(await t.db.gpu.count({ where: { id: g.id } })).toBe(0);
  });
});

describe("NICs", () => {
  it("creates a NIC with an SR-IOV tag and the user tag row", async () => {
    const h = await newHost();
    const n = await createNic({ hostId: h.id, name: "ens1f0", role: "vm", sriovVfs: "16", tag: "trading-a", bond: "" }, ctx);
    expect(n).toMatchObject({ name: "ens1f0", sriovVfs: 16, tag: "trading-a", bond: null });
    expect(await t.db.deviceTag.findUnique({ where: { type_name: { type: "sriov", name: "trading-a" } } })).toMatchObject({ origin: "user" });
  });

  it.each([
    [{ name: "", sriovVfs: 4 }, "name"],
    [{ name: "ens1f0", sriovVfs: 257 }, "sriovVfs"],
    [{ name: "ens1f0", sriovVfs: -1 }, "sriovVfs"],
    [{ name: "ens1f0", role: "uplink" }, "role"],
    [{ name: "ens1f0", tag: "bad tag!" }, "tag"],
    [{ name: "ens1f0", tag: "x".repeat(65) }, "tag"],
  ])("refuses %j with a field error on %s", async (input, field) => {
    const h = await newHost();
    const before = await counts();
    const e = await refused(() => createNic({ hostId: h.id, ...input }, ctx));
    expect(e.fieldErrors?.[field]?.[0]).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  it("refuses a duplicate NIC name on the same host", async () => {
    const h = await newHost();
    await createNic({ hostId: h.id, name: "ens1f0" }, ctx);
    const e = await refused(() => createNic({ hostId: h.id, name: "ens1f0" }, ctx));
    expect(e.fieldErrors?.name?.[0]).toContain("ens1f0");
  });

  it("sets and clears a tag; a bad tag name stores nothing", async () => {
    const h = await newHost();
    const n = await createNic({ hostId: h.id, name: "ens2f0", sriovVfs: 8 }, ctx);
    const s = await setNicTag({ nicId: n.id, tag: "storage-b" }, ctx);
    expect(s.tag).toBe("storage-b");
    expect(await t.db.deviceTag.count({ where: { type: "sriov", name: "storage-b", origin: "user" } })).toBe(1);
    const e = await refused(() => setNicTag({ nicId: n.id, tag: "no spaces" }, ctx));
    expect(e.fieldErrors?.tag?.[0]).toContain("1–64");
    expect((await t.db.nic.findUniqueOrThrow({ where: { id: n.id } })).tag).toBe("storage-b");
    const c = await clearNicTag({ nicId: n.id }, ctx);
    expect(c.tag).toBeNull();
    expect(await t.db.auditLog.count({ where: { entity: `nic:${n.id}`, action: { in: ["tag-nic", "untag-nic"] } } })).toBe(2);
  });

  it("the VF count cannot drop below the VFs in use; retag and delete are refused while VFs are allocated", async () => {
    const h = await newHost();
    const n = await createNic({ hostId: h.id, name: "ens1f0", sriovVfs: 8, tag: "fabric-x" }, ctx);
    const vm = await placedVm(h.id);
    for (let vf = 0; vf < 3; vf++)
      await t.db.deviceAllocation.create({ data: { deviceKey: `vf:${n.id}:${vf}`, vmId: vm.id, hostId: h.id, type: "sriov", tag: "fabric-x", nicId: n.id, vf } });
    const e = await refused(() => updateNic({ id: n.id, name: "ens1f0", sriovVfs: 2, tag: "fabric-x" }, ctx));
    expect(e.code).toBe("CONFLICT");
    expect(e.fieldErrors?.sriovVfs).toEqual(["ens1f0 has 3 VFs in use; the VF count cannot go below 3"]);
    expect((await t.db.nic.findUniqueOrThrow({ where: { id: n.id } })).sriovVfs).toBe(8);
    const ok = await updateNic({ id: n.id, name: "ens1f0", sriovVfs: 3, tag: "fabric-x", bond: "vm0" }, ctx);
    expect(ok).toMatchObject({ sriovVfs: 3, bond: "vm0" });
    const r = await refused(() => setNicTag({ nicId: n.id, tag: "fabric-y" }, ctx));
    expect(r.fieldErrors?.tag?.[0]).toContain("3 VFs in use");
    const r2 = await refused(() => clearNicTag({ nicId: n.id }, ctx));
    expect(r2.code).toBe("CONFLICT");
    const d = await refused(() => deleteNic({ id: n.id }, ctx));
    expect(d.message).toContain("3 VFs in use");
    expect(await t.db.nic.count({ where: { id: n.id } })).toBe(1);
  });

  it("deletes a free NIC", async () => {
    const h = await newHost();
    const n = await createNic({ hostId: h.id, name: "ens3f0" }, ctx);
    await deleteNic({ id: n.id }, ctx);
    expect(await t.db.nic.count({ where: { id: n.id } })).toBe(0);
  });
});
