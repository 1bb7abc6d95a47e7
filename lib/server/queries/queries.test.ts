// The console's read queries against a real throwaway SQLite store (every migration applied).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { getHost, listHostFacets, listHosts, parseHostListQuery } from "./hosts";
import { getVm, listVms, parseVmListQuery } from "./vms";
import { listGpus, parseGpuListQuery } from "./gpus";
import { getNetwork, listNetworks, parseNetworkLeaseQuery } from "./networks";
import { listTags } from "./tags";
import { countActiveAlerts, getOverview } from "./overview";
import { nameAuditEntities } from "./audit-names";
import { resolveTextRefs } from "./text-refs";
import { previewNicRetag } from "./nic-retag";
import { listAlerts, parseAlertListQuery } from "./alerts";
import { listIncidents, parseIncidentListQuery } from "./incidents";
import { getCluster } from "./cluster";
import { pageParams, sortParams } from "./params";

let t: TestDb;
let db: PrismaClient;
const ids: Record<string, string> = {};

/**
 * Fixture: zones a (primary) and b (secondary); hosts h1 (online, a), h2 (online, b), h3 (failed, a).
 * h1: passthrough M60 (held by vm-gpu) + M60 partitioned M60-2Q x4 (2 slots held); NIC tagged "fast" 4 VFs (1 held).
 * h2: A100 in compute mode, passthrough (free); NIC tagged "fast" 2 VFs; storage controller down.
 * h3: NIC tagged "fast" 2 VFs.
 */
async function seed(db: PrismaClient) {
  const c = await db.cluster.create({ data: { name: "test", haMode: "guarantee", faultTolerance: 1 } });
  const za = await db.zone.create({ data: { clusterId: c.id, name: "a", role: "primary" } });
  const zb = await db.zone.create({ data: { clusterId: c.id, name: "b", role: "secondary" } });
  const h1 = await db.host.create({ data: { clusterId: c.id, zoneId: za.id, name: "h1", cpus: 32, memoryMiB: 131072 } });
  const h2 = await db.host.create({ data: { clusterId: c.id, zoneId: zb.id, name: "h2", cpus: 16, memoryMiB: 65536, storageControllerHealthy: false } });
  const h3 = await db.host.create({ data: { clusterId: c.id, zoneId: za.id, name: "h3", cpus: 16, memoryMiB: 65536, state: "failed" } });
  Object.assign(ids, { h1: h1.id, h2: h2.id, h3: h3.id });
  const g1 = await db.gpu.create({ data: { hostId: h1.id, name: "h1-gpu0", model: "NVIDIA Tesla M60", pciAddress: "0000:3b:00.0" } });
  const g2 = await db.gpu.create({
    data: { hostId: h1.id, name: "h1-gpu1", model: "NVIDIA Tesla M60", pciAddress: "0000:3c:00.0", vgpuProfile: "M60-2Q", vgpuSlots: 4 },
  });
  const g3 = await db.gpu.create({ data: { hostId: h2.id, name: "h2-gpu0", model: "NVIDIA A100", mode: "compute", pciAddress: "0000:3b:00.0" } });
  Object.assign(ids, { g1: g1.id, g2: g2.id, g3: g3.id });
  const n1 = await db.nic.create({ data: { hostId: h1.id, name: "ens1", sriovVfs: 4, tag: "fast" } });
  await db.nic.create({ data: { hostId: h1.id, name: "stor0", role: "storage", bond: "b0", linkUp: false } });
  await db.nic.create({ data: { hostId: h1.id, name: "stor1", role: "storage", bond: "b0" } });
  await db.nic.create({ data: { hostId: h2.id, name: "ens1", sriovVfs: 2, tag: "fast" } });
  await db.nic.create({ data: { hostId: h3.id, name: "ens1", sriovVfs: 2, tag: "fast" } });
  await db.deviceTag.create({ data: { type: "sriov", name: "fast", origin: "user", description: "fast NICs" } });
  await db.deviceTag.create({ data: { type: "sriov", name: "idle", origin: "user" } });

  const net = await db.network.create({
    data: { clusterId: c.id, name: "prod", vlan: 10, managed: true, cidr: "10.0.0.0/24", gateway: "10.0.0.1", dns: "10.0.0.2, 10.0.0.3", poolStart: "10.0.0.1", poolEnd: "10.0.0.100" },
  });
  await db.network.create({ data: { clusterId: c.id, name: "ext", managed: false } });
  ids.net = net.id;

  const vm = (name: string, data: Partial<{ vcpus: number; memoryMiB: number; haPriority: string; power: string; hostId: string | null }>) =>
    db.vm.create({ data: { clusterId: c.id, name, vcpus: 2, memoryMiB: 4096, ...data } });
  const vGpu = await vm("vm-gpu", { vcpus: 8, memoryMiB: 32768, haPriority: "high", power: "running", hostId: h1.id });
  const vVgpu = await vm("vm-vgpu", { vcpus: 4, memoryMiB: 8192, haPriority: "low", power: "running", hostId: h1.id });
  const vSriov = await vm("vm-sriov", { vcpus: 2, memoryMiB: 4096, haPriority: "medium", power: "running", hostId: h1.id });
  const vPlain = await vm("vm-plain", { vcpus: 1, memoryMiB: 2048, haPriority: "off", power: "running", hostId: h2.id });
  const vOff = await vm("vm-off", { vcpus: 2, memoryMiB: 2048, haPriority: "high", power: "stopped" });
  // 10 more stopped VMs with mixed priorities for paging by priority.
  for (let i = 0; i < 10; i++) await vm(`vm-bulk-${String(i).padStart(2, "0")}`, { haPriority: ["high", "medium", "low", "off"][i % 4], power: "stopped" });
  Object.assign(ids, { vGpu: vGpu.id, vVgpu: vVgpu.id, vSriov: vSriov.id, vPlain: vPlain.id, vOff: vOff.id });

  await db.deviceRequest.create({ data: { vmId: vGpu.id, index: 0, type: "gpu", tag: "NVIDIA Tesla M60", count: 1 } });
  await db.deviceAllocation.create({ data: { deviceKey: `gpu:${g1.id}`, vmId: vGpu.id, hostId: h1.id, type: "gpu", tag: "NVIDIA Tesla M60", gpuId: g1.id } });
  await db.deviceRequest.create({ data: { vmId: vVgpu.id, index: 0, type: "vgpu", tag: "NVIDIA Tesla M60/M60-2Q", count: 2 } });
  for (const slot of [0, 1]) {
    await db.deviceAllocation.create({
      data: { deviceKey: `vgpu:${g2.id}:${slot}`, vmId: vVgpu.id, hostId: h1.id, type: "vgpu", tag: "NVIDIA Tesla M60/M60-2Q", gpuId: g2.id, slot },
    });
  }
  await db.deviceRequest.create({ data: { vmId: vSriov.id, index: 0, type: "sriov", tag: "fast", count: 1 } });
  await db.deviceAllocation.create({ data: { deviceKey: `vf:${n1.id}:0`, vmId: vSriov.id, hostId: h1.id, type: "sriov", tag: "fast", nicId: n1.id, vf: 0 } });
  await db.deviceRequest.create({ data: { vmId: vOff.id, index: 0, type: "sriov", tag: "fast", count: 2 } });

  await db.disk.create({ data: { vmId: vSriov.id, index: 0, sizeGiB: 40 } });
  await db.disk.create({ data: { vmId: vSriov.id, index: 1, sizeGiB: 100, bus: "sata" } });
  await db.storageSession.create({ data: { vmId: vSriov.id, diskIndex: 0, session: 0, controllerHostId: h1.id } });
  await db.storageSession.create({ data: { vmId: vSriov.id, diskIndex: 0, session: 1, controllerHostId: h1.id } });
  await db.storageSession.create({ data: { vmId: vSriov.id, diskIndex: 1, session: 0, controllerHostId: h1.id } });
  // vm-plain runs on h2 whose controller is down: its session is redirected to h1.
  await db.disk.create({ data: { vmId: vPlain.id, index: 0, sizeGiB: 20 } });
  await db.storageSession.create({ data: { vmId: vPlain.id, diskIndex: 0, session: 0, controllerHostId: h1.id } });

  // Leases whose text order differs from address order (10.0.0.9 < 10.0.0.10).
  let k = 0;
  for (const [v, addr] of [
    [vGpu, "10.0.0.10"],
    [vVgpu, "10.0.0.9"],
    [vSriov, "10.0.0.100"],
  ] as const) {
    const nic = await db.vmNic.create({ data: { vmId: v.id, index: 0, networkId: net.id, mac: `52:54:00:00:00:0${k++}` } });
    await db.ipLease.create({ data: { networkId: net.id, address: addr, vmId: v.id, vmNicId: nic.id } });
  }
  await db.vmNic.create({ data: { vmId: vOff.id, index: 0, networkId: net.id } });

  const inc = await db.incident.create({ data: { seq: 1, clusterId: c.id, hostId: h3.id, kind: "host-failure", openedAt: new Date("2026-01-01T00:00:00Z") } });
  const now = new Date("2026-01-01T00:01:00Z");
  await db.alert.createMany({
    data: [
      { kind: "HOST_FAILED", severity: "critical", entityType: "host", entityId: h3.id, entityName: "h3", hostId: h3.id, message: "h3 failed", raisedAt: now, lastSeenAt: now, incidentId: inc.id, activeKey: "HOST_FAILED|h3" },
      { kind: "BOND_DEGRADED", severity: "warning", status: "acknowledged", entityType: "host", entityId: h1.id, entityName: "h1", hostId: h1.id, message: "bond b0 degraded", raisedAt: now, lastSeenAt: now, activeKey: "BOND_DEGRADED|h1" },
      { kind: "HA_REBUILD_SUCCEEDED", severity: "info", status: "resolved", entityType: "vm", entityId: "gone", entityName: "vm-gone", message: "rebuilt", raisedAt: now, lastSeenAt: now },
    ],
  });
}

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seed(db);
});
afterAll(async () => {
  await t?.cleanup();
});

describe("params", () => {
  it("clamps page and size and ignores unknown sorts", () => {
    expect(pageParams({ page: "-3", size: "7" })).toEqual({ page: 1, pageSize: 50 });
    expect(pageParams({ page: "4", size: "100" })).toEqual({ page: 4, pageSize: 100 });
    expect(sortParams({ sort: "drop table", dir: "sideways" }, ["name", "cpus"] as const, "name")).toEqual({ sort: "name", dir: "asc" });
  });
});

describe("cluster", () => {
  it("returns the cluster with its zones", async () => {
    const c = await getCluster(db);
    expect(c?.name).toBe("test");
    expect(c?.haMode).toBe("guarantee");
    expect(c?.zones.map((z) => z.name)).toEqual(["a", "b"]);
  });
});

describe("hosts", () => {
  it("lists with allocated capacity, device units and storage health", async () => {
    const page = await listHosts(parseHostListQuery({}), db);
    expect(page.total).toBe(3);
    const h1 = page.rows.find((h) => h.name === "h1")!;
    expect(h1).toMatchObject({ zone: "a", vcpusAllocated: 14, memoryMiBAllocated: 45056, vmCount: 3, gpuCount: 2, storageNics: 2, storageNicsDown: 1 });
    // 1 passthrough GPU + 4 vGPU slots + 4 VFs; 1 + 2 + 1 held.
    expect(h1.deviceUnits).toBe(9);
    expect(h1.deviceUnitsUsed).toBe(4);
  });

  it("filters by state, zone and name; sorts by VM count; pages", async () => {
    expect((await listHosts(parseHostListQuery({ state: "failed" }), db)).rows.map((h) => h.name)).toEqual(["h3"]);
    expect((await listHosts(parseHostListQuery({ zone: "a" }), db)).rows.map((h) => h.name)).toEqual(["h1", "h3"]);
    expect((await listHosts(parseHostListQuery({ q: "2" }), db)).rows.map((h) => h.name)).toEqual(["h2"]);
    expect((await listHosts(parseHostListQuery({ sort: "vms", dir: "desc" }), db)).rows.map((h) => h.name)).toEqual(["h1", "h2", "h3"]);
    const p2 = await listHosts({ ...parseHostListQuery({ sort: "name", dir: "desc" }), pageSize: 2, page: 2 }, db);
    expect(p2).toMatchObject({ total: 3, pageCount: 2, page: 2 });
    expect(p2.rows.map((h) => h.name)).toEqual(["h1"]);
  });

  it("counts hosts by state for the filter", async () => {
    const f = await listHostFacets(db);
    expect(f.zones).toEqual(["a", "b"]);
    expect(f.states).toEqual({ online: 2, failed: 1 });
  });

  it("details a host: GPUs with tags and slots, NICs with VFs, pools, storage sessions", async () => {
    const h1 = (await getHost(ids.h1, db))!;
    const [pass, part] = h1.gpus;
    expect(pass).toMatchObject({ kind: "passthrough", tag: "NVIDIA Tesla M60", tagType: "gpu", slots: 1, used: 1, free: 0 });
    expect(pass.vms.map((v) => v.name)).toEqual(["vm-gpu"]);
    expect(part).toMatchObject({ kind: "vgpu", tag: "NVIDIA Tesla M60/M60-2Q", tagType: "vgpu", slots: 4, used: 2, free: 2 });
    expect(h1.nics.find((n) => n.name === "ens1")).toMatchObject({ tag: "fast", vfsTotal: 4, vfsUsed: 1 });
    expect(h1.pools).toEqual([
      { type: "gpu", tag: "NVIDIA Tesla M60", total: 1, used: 1 },
      { type: "vgpu", tag: "NVIDIA Tesla M60/M60-2Q", total: 4, used: 2 },
      { type: "sriov", tag: "fast", total: 4, used: 1 },
    ]);
    expect(h1).toMatchObject({ storageSessionsLocal: 3, storageSessionsRedirectedIn: 1, storageSessionsRedirectedOut: 0, vmCount: 3 });
    expect(h1.openAlerts.map((a) => a.kind)).toEqual(["BOND_DEGRADED"]);
    const h2 = (await getHost(ids.h2, db))!;
    expect(h2.gpus[0]).toMatchObject({ tag: "NVIDIA A100.compute", mode: "compute" });
    expect(h2.storageSessionsRedirectedOut).toBe(1);
    expect(await getHost("no-such-host", db)).toBeNull();
  });
});

describe("vms", () => {
  it("filters by host (name or none), power, priority, devices and tag", async () => {
    const names = async (sp: Record<string, string>) => (await listVms(parseVmListQuery(sp), db)).rows.map((v) => v.name);
    expect(await names({ host: "h1" })).toEqual(["vm-gpu", "vm-sriov", "vm-vgpu"]);
    expect((await listVms(parseVmListQuery({ host: "none" }), db)).total).toBe(11);
    expect(await names({ power: "running", priority: "off" })).toEqual(["vm-plain"]);
    expect(await names({ devices: "yes" })).toEqual(["vm-gpu", "vm-off", "vm-sriov", "vm-vgpu"]);
    expect((await listVms(parseVmListQuery({ devices: "no" }), db)).total).toBe(11);
    expect(await names({ tag: "sriov:fast" })).toEqual(["vm-off", "vm-sriov"]);
    expect(await names({ q: "vgpu" })).toEqual(["vm-vgpu"]);
  });

  it("sorts by vCPU, memory and host", async () => {
    const first = async (sp: Record<string, string>) => (await listVms(parseVmListQuery(sp), db)).rows[0].name;
    expect(await first({ sort: "vcpus", dir: "desc" })).toBe("vm-gpu");
    expect(await first({ sort: "memory", dir: "desc" })).toBe("vm-gpu");
    const byHost = (await listVms(parseVmListQuery({ sort: "host", dir: "desc", power: "running" }), db)).rows.map((v) => v.host?.name);
    expect(byHost).toEqual(["h2", "h1", "h1", "h1"]);
  });

  it("sorts by HA priority rank across page boundaries", async () => {
    const all: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const p = await listVms({ ...parseVmListQuery({ sort: "priority" }), page, pageSize: 4 }, db);
      expect(p.total).toBe(15);
      all.push(...p.rows.map((v) => v.haPriority));
    }
    const rank = { high: 0, medium: 1, low: 2, off: 3 } as Record<string, number>;
    expect(all).toHaveLength(15);
    expect(all.map((p) => rank[p])).toEqual([...all.map((p) => rank[p])].sort((a, b) => a - b));
    const desc = await listVms({ ...parseVmListQuery({ sort: "priority", dir: "desc" }), pageSize: 3 }, db);
    expect(desc.rows.map((v) => v.haPriority)).toEqual(["off", "off", "off"]);
  });

  it("details a VM: requests vs allocations, leases, local and redirected sessions", async () => {
    const vg = (await getVm(ids.vVgpu, db))!;
    expect(vg.deviceRequests).toEqual([expect.objectContaining({ type: "vgpu", count: 2, allocated: 2 })]);
    expect(vg.allocations.map((a) => a.slot)).toEqual([0, 1]);
    expect(vg.nics[0].lease?.address).toBe("10.0.0.9");
    const vs = (await getVm(ids.vSriov, db))!;
    expect(vs.disks.map((d) => d.sessions.length)).toEqual([2, 1]);
    expect(vs.disks[0].sessions.every((s) => s.local)).toBe(true);
    const vp = (await getVm(ids.vPlain, db))!;
    expect(vp.disks[0].sessions[0]).toMatchObject({ local: false, controller: { name: "h1" } });
    const vo = (await getVm(ids.vOff, db))!;
    expect(vo.deviceRequests[0]).toMatchObject({ tag: "fast", count: 2, allocated: 0 });
    expect(vo.host).toBeNull();
    expect(await getVm("nope", db)).toBeNull();
  });
});

describe("gpus", () => {
  it("lists GPUs with kind, derived tag and users; filters by kind, model and mode", async () => {
    const all = await listGpus(parseGpuListQuery({}), db);
    expect(all.total).toBe(3);
    const part = all.rows.find((g) => g.name === "h1-gpu1")!;
    expect(part).toMatchObject({ kind: "vgpu", slots: 4, used: 2, free: 2, tag: "NVIDIA Tesla M60/M60-2Q" });
    expect(part.vms.map((v) => v.slot)).toEqual([0, 1]);
    expect((await listGpus(parseGpuListQuery({ kind: "vgpu" }), db)).rows.map((g) => g.name)).toEqual(["h1-gpu1"]);
    expect((await listGpus(parseGpuListQuery({ kind: "passthrough", model: "NVIDIA Tesla M60" }), db)).rows.map((g) => g.name)).toEqual(["h1-gpu0"]);
    expect((await listGpus(parseGpuListQuery({ mode: "compute" }), db)).rows.map((g) => g.tag)).toEqual(["NVIDIA A100.compute"]);
    expect((await listGpus(parseGpuListQuery({ host: "h2" }), db)).total).toBe(1);
  });
});

describe("networks", () => {
  it("lists networks with IPAM usage (pool size excludes the gateway)", async () => {
    const nets = await listNetworks(db);
    expect(nets.map((n) => n.name)).toEqual(["ext", "prod"]);
    expect(nets[1]).toMatchObject({ leases: 3, vmNics: 4, poolSize: 99, dns: ["10.0.0.2", "10.0.0.3"] });
    expect(nets[0].poolSize).toBeNull();
  });

  it("pages leases in numeric address order and searches them", async () => {
    const n = (await getNetwork(ids.net, { page: 1, pageSize: 2 }, db))!;
    expect(n.leasesPage.rows.map((l) => l.address)).toEqual(["10.0.0.9", "10.0.0.10"]);
    expect(n.leasesPage).toMatchObject({ total: 3, pageCount: 2 });
    expect(n.nicsWithoutLease).toBe(1);
    const p2 = (await getNetwork(ids.net, { page: 2, pageSize: 2 }, db))!;
    expect(p2.leasesPage.rows.map((l) => l.vm.name)).toEqual(["vm-sriov"]);
    const q = (await getNetwork(ids.net, parseNetworkLeaseQuery({ q: "vm-gpu" }), db))!;
    expect(q.leasesPage.rows.map((l) => l.address)).toEqual(["10.0.0.10"]);
    expect(await getNetwork("nope", undefined, db)).toBeNull();
  });
});

describe("tags", () => {
  it("summarises each tag: devices, units, free, free on online hosts, hosts, requesting VMs", async () => {
    const tags = await listTags({}, db);
    expect(tags.map((r) => `${r.type}:${r.name}`)).toEqual([
      "gpu:NVIDIA A100.compute",
      "gpu:NVIDIA Tesla M60",
      "vgpu:NVIDIA Tesla M60/M60-2Q",
      "sriov:fast",
      "sriov:idle",
    ]);
    const fast = tags.find((r) => r.name === "fast")!;
    // VFs: h1 4 (1 held), h2 2, h3 2 (failed host: not free online).
    expect(fast).toMatchObject({ origin: "user", declared: true, description: "fast NICs", devices: 3, units: 8, used: 1, free: 7, freeOnline: 5 });
    expect(fast.hosts.map((h) => h.name)).toEqual(["h1", "h2", "h3"]);
    expect(fast).toMatchObject({ requestingVms: 2, requestedUnits: 2 });
    const vgpu = tags.find((r) => r.type === "vgpu")!;
    expect(vgpu).toMatchObject({ origin: "auto", devices: 1, units: 4, used: 2, free: 2, requestingVms: 1, requestedUnits: 0 });
    expect(tags.find((r) => r.name === "idle")).toMatchObject({ devices: 0, units: 0, free: 0, hosts: [] });
    expect((await listTags({ type: "gpu" }, db)).map((r) => r.name)).toEqual(["NVIDIA A100.compute", "NVIDIA Tesla M60"]);
    expect((await listTags({ q: "m60-2q" }, db)).map((r) => r.type)).toEqual(["vgpu"]);
  });
});

describe("overview", () => {
  it("counts hosts, VMs and devices and sums capacity per zone", async () => {
    const o = await getOverview(db);
    expect(o.hostsByState).toEqual({ online: 2, failed: 1 });
    expect(o.vmCount).toBe(15);
    expect(o.vmsByPower).toEqual({ running: 4, stopped: 11 });
    expect(o.vmsWithDevices).toBe(4);
    expect(o.gpus).toEqual({ total: 3, passthrough: 2, passthroughUsed: 1, partitioned: 1 });
    expect(o.vgpuSlots).toEqual({ total: 4, used: 2 });
    expect(o.vfs).toEqual({ total: 8, used: 1 });
    const [a, b, total] = o.capacity;
    expect(a).toMatchObject({ zone: "a", hosts: 2, hostsOnline: 1, cpus: 48, cpusOnline: 32, vcpusAllocated: 14 });
    expect(b).toMatchObject({ zone: "b", hosts: 1, cpusOnline: 16, vcpusAllocated: 1 });
    expect(total).toMatchObject({ zone: null, zoneRole: "total", hosts: 3, cpus: 64, vcpusAllocated: 15 });
    // by severity of the OPEN alerts only: they add up to `open` (the acknowledged warning is not counted)
    expect(o.alerts).toEqual({ open: 1, acknowledged: 1, critical: 1, warning: 0, info: 0 });
    expect(o.recentAlerts).toHaveLength(2);
    expect(o.openIncidents).toBe(1);
  });
});

describe("alerts and incidents", () => {
  it("lists active alerts by default and links only to entities that exist", async () => {
    const active = await listAlerts(parseAlertListQuery({}), db);
    expect(active.rows.map((a) => a.kind).sort()).toEqual(["BOND_DEGRADED", "HOST_FAILED"]);
    const failed = active.rows.find((a) => a.kind === "HOST_FAILED")!;
    expect(failed.hostId).toBe(ids.h3);
    expect(failed.incident?.seq).toBe(1);
    const resolved = await listAlerts(parseAlertListQuery({ status: "resolved" }), db);
    expect(resolved.rows).toHaveLength(1);
    expect(resolved.rows[0].vmId).toBeNull();
    expect((await listAlerts(parseAlertListQuery({ status: "all", severity: "warning" }), db)).total).toBe(1);
  });

  it("lists incidents with counts", async () => {
    const p = await listIncidents(parseIncidentListQuery({}), db);
    expect(p.rows).toEqual([expect.objectContaining({ seq: 1, status: "open", alerts: 1, events: 0, host: { id: ids.h3, name: "h3" } })]);
    expect((await listIncidents(parseIncidentListQuery({ status: "closed" }), db)).total).toBe(0);
  });
});

describe("alert counts add up", () => {
  it("dashboard and header: total = critical + warning + info; an open info alert counts as info, not critical", async () => {
    const at = new Date("2026-01-01T00:02:00Z");
    const extra = await db.alert.create({
      data: { kind: "HA_REBUILD_SUCCEEDED", severity: "info", entityType: "vm", entityId: "x", entityName: "vm-x", message: "vm-x was rebuilt", raisedAt: at, lastSeenAt: at, activeKey: "HA_REBUILD_SUCCEEDED|vm:x" },
    });
    try {
      const o = await getOverview(db);
      expect(o.alerts).toEqual({ open: 2, acknowledged: 1, critical: 1, warning: 0, info: 1 });
      expect(o.alerts.critical + o.alerts.warning + o.alerts.info).toBe(o.alerts.open);
      const h = await countActiveAlerts(db);
      expect(h).toEqual({ open: 2, critical: 1, warning: 0, info: 1 });
    } finally {
      await db.alert.delete({ where: { id: extra.id } });
    }
  });
});

describe("names for ids", () => {
  it("the audit log names each entity (linked while it exists; a deleted one by the name its row recorded)", async () => {
    const rows = [
      { entity: `host:${ids.h1}`, before: null, after: null },
      { entity: `gpu:${ids.g1}`, before: null, after: null },
      { entity: `network:${ids.net}`, before: null, after: null },
      { entity: "host:h2", before: null, after: JSON.stringify({ host: "h2" }) },
      { entity: "vm:cgone000000000000000000000", before: JSON.stringify({ name: "old-vm" }), after: null },
      { entity: "vm:cunknown0000000000000000000", before: null, after: null },
    ];
    const n = await nameAuditEntities(rows, db);
    expect(n[`host:${ids.h1}`]).toEqual({ name: "h1", href: `/hosts/${ids.h1}`, deleted: false });
    expect(n[`gpu:${ids.g1}`]).toEqual({ name: "h1-gpu0", href: `/hosts/${ids.h1}`, deleted: false });
    expect(n[`network:${ids.net}`]).toMatchObject({ name: "prod", href: `/networks/${ids.net}` });
    expect(n["host:h2"]).toEqual({ name: "h2", href: `/hosts/${ids.h2}`, deleted: false }); // a row that names its host
    expect(n["vm:cgone000000000000000000000"]).toEqual({ name: "old-vm", href: null, deleted: true });
    expect(n["vm:cunknown0000000000000000000"]).toBeUndefined();
  });

  it("store ids in a text resolve to names with their pages", async () => {
    const refs = await resolveTextRefs([`it asks for GPU ${ids.g1} by name`, `on ${ids.h2}`, null], db);
    expect(refs[ids.g1]).toEqual({ name: "h1-gpu0 (on h1)", href: `/hosts/${ids.h1}` });
    expect(refs[ids.h2]).toEqual({ name: "h2", href: `/hosts/${ids.h2}` });
    expect(await resolveTextRefs(["no ids here"], db)).toEqual({});
  });
});

describe("NIC re-tag preview", () => {
  it("shows the VFs leaving and joining each tag, the VFs' holders, and the VMs whose HA eligibility flips", async () => {
    const h2nic = await db.nic.findFirstOrThrow({ where: { hostId: ids.h2, name: "ens1" } });
    const p = await previewNicRetag(h2nic.id, "slow", db);
    expect(p).not.toBeNull();
    expect(p!.from).toBe("fast");
    expect(p!.to).toBe("slow");
    expect(p!.tags).toEqual([
      { tag: "fast", before: 8, after: 6 },
      { tag: "slow", before: 0, after: 2 },
    ]);
    expect(p!.holders).toEqual([]);
    // vm-sriov runs on h1 and asks for a "fast" VF: h2 was the only other online host with one
    const flip = p!.flips.find((f) => f.name === "vm-sriov");
    expect(flip).toMatchObject({ before: true, after: false });
    expect(flip!.reasons.join(" ")).toMatch(/fast/);
    // nothing changes, nothing flips
    expect((await previewNicRetag(h2nic.id, "fast", db))!.flips).toEqual([]);
    expect(await previewNicRetag("cnonexistent00000000000000", "x", db)).toBeNull();
  });

  it("lists the VMs holding the NIC's VFs", async () => {
    const h1nic = await db.nic.findFirstOrThrow({ where: { hostId: ids.h1, name: "ens1" } });
    expect((await previewNicRetag(h1nic.id, null, db))!.holders.map((h) => h.name)).toEqual(["vm-sriov"]);
  });
});
