import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { AppError } from "@/lib/server/errors";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import { createTestDb, type TestDb } from "./support/test-db";

const SCENARIOS = path.resolve(import.meta.dirname, "../../shared/scenarios");

function scenarioCluster(file: string): TClusterSpecInput {
  const cluster = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const k of ["name", "description", "events", "runUntil"]) delete cluster[k];
  return cluster;
}

const rich = (): TClusterSpecInput => ({
  cluster: { haMode: "guarantee", faultTolerance: 1, reservation: "segment", timing: { failureTimeout: 40 } },
  zones: [
    { name: "az-a", role: "primary" },
    { name: "az-b", role: "secondary" },
  ],
  hosts: [
    {
      name: "h1",
      zone: "az-a",
      cpus: 64,
      memoryGiB: 512,
      gpus: [
        { id: "h1-gpu0", model: "NVIDIA A100-PCIE-40GB", mode: "compute", vgpu: { profile: "A100-4C", slots: 10 } },
        { id: "h1-gpu1", model: "NVIDIA Tesla M60" },
        { id: "h1-gpu2", model: "NVIDIA Tesla M60" },
        { id: "h1-gpu3", model: "NVIDIA A100-PCIE-40GB", mode: "compute", vgpu: { profile: "A100-4C", slots: 10 } },
      ],
      nics: [
        { name: "ens1f0", role: "vm", sriovVfs: 2, tag: "trading-a" },
        { name: "ens1f1", role: "vm", sriovVfs: 4, tag: "trading-a" },
        { name: "ens2f0", role: "storage", bond: "stor0" },
        { name: "ens2f1", role: "storage", bond: "stor0" },
      ],
    },
    { name: "h2", zone: "az-b", cpus: 32, memoryMiB: 262144, storageController: false },
  ],
  networks: [
    { name: "prod", vlan: 100, managed: true, cidr: "10.10.0.0/24", gateway: "10.10.0.1", pool: ["10.10.0.10", "10.10.0.250"], dns: ["10.10.0.2"] },
    { name: "lab", vlan: 200, managed: false },
  ],
  placementGroups: [
    { name: "db-on-h1", type: "vm-host", enforcement: "must", vms: ["t1"], hosts: ["h1", "h2"] },
    { name: "in-a", type: "zone", zone: "az-a", vms: ["t1", "t2"] },
  ],
  vms: [
    {
      name: "t1",
      vcpus: 4,
      memoryGiB: 16,
      host: "h1",
      haPriority: "high",
      hostAffinity: ["h1", "h2"],
      devices: [
        { type: "sriov", tag: "trading-a", count: 3 },
        { type: "vgpu", tag: "NVIDIA A100-PCIE-40GB.compute/A100-4C", count: 1 },
        { type: "gpu", tag: "NVIDIA Tesla M60", count: 1 },
      ],
      nics: [{ network: "prod" }, { network: "lab" }],
      disks: [{ sizeGiB: 100 }, { sizeGiB: 20, bus: "sata" }],
    },
    {
      name: "t2",
      vcpus: 1,
      memoryGiB: 4,
      host: "h1",
      // names the GPU t1 would otherwise take: named GPUs are allocated first
      devices: [
        { type: "gpu", tag: "NVIDIA Tesla M60", gpu: "h1-gpu1" },
        { type: "vgpu", tag: "NVIDIA A100-PCIE-40GB.compute/A100-4C", count: 2 },
      ],
      nics: [{ network: "prod", ip: "10.10.0.10" }],
      disks: [{ sizeGiB: 10 }],
    },
    { name: "remote", vcpus: 2, memoryGiB: 4, host: "h2", nics: [{ network: "prod" }], disks: [{ sizeGiB: 10 }] },
    { name: "off1", vcpus: 2, memoryGiB: 4, power: "off", devices: [{ type: "sriov", tag: "trading-z" }], nics: [{ network: "prod" }] },
  ],
});

describe("importCluster", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const scenarioFiles = fs.existsSync(SCENARIOS)
    ? fs.readdirSync(SCENARIOS).filter((f) => f.endsWith(".json") && !f.endsWith(".expect.json"))
    : [];
  it("finds the public scenarios", () => {
    expect(scenarioFiles.length).toBeGreaterThanOrEqual(7);
  });
  for (const f of scenarioFiles) {
    it(`imports the cluster of scenario ${f}`, async () => {
      const spec = scenarioCluster(path.join(SCENARIOS, f));
      const r = await importCluster(t.db, spec, { name: f });
      const hosts = await t.db.host.count();
      const vms = await t.db.vm.findMany({ include: { allocations: true, host: true } });
      expect(hosts).toBe((spec.hosts as unknown[]).length);
      expect(vms.length).toBe((spec.vms ?? []).length);
      for (const vm of vms) {
        const want = (spec.vms ?? []).find((v) => v.name === vm.name)!;
        expect(vm.power).toBe("running");
        expect(vm.host?.name).toBe(want.host);
        expect(vm.generation).toBe(1);
        const asked = (want.devices ?? []).reduce((a, d) => a + (d.count ?? 1), 0);
        expect(vm.allocations.length).toBe(asked);
        for (const a of vm.allocations) expect(a.hostId).toBe(vm.hostId);
      }
      expect(r.counts.vms).toBe(vms.length);
    });
  }

  it("writes every part of a rich cluster with the t=0 state", async () => {
    const now = new Date("2026-01-02T03:04:05Z");
    const r = await importCluster(t.db, rich(), { now, name: "lab" });
    const cluster = await t.db.cluster.findUniqueOrThrow({ where: { id: r.clusterId } });
    expect(cluster).toMatchObject({ name: "lab", haMode: "guarantee", reservation: "segment", failureTimeoutS: 40, isolationTimeoutS: 20, heartbeatS: 1 });

    const gpus = await t.db.gpu.findMany({ orderBy: { name: "asc" } });
    expect(gpus.map((g) => [g.name, g.pciAddress, g.mode, g.vgpuProfile])).toEqual([
      ["h1-gpu0", "0000:18:00.0", "compute", "A100-4C"],
      ["h1-gpu1", "0000:28:00.0", "graphics", null],
      ["h1-gpu2", "0000:38:00.0", "graphics", null],
      ["h1-gpu3", "0000:48:00.0", "compute", "A100-4C"],
    ]);
    const tags = await t.db.deviceTag.findMany({ orderBy: [{ type: "asc" }, { name: "asc" }] });
    expect(tags.map((x) => [x.type, x.name, x.origin])).toEqual([
      ["gpu", "NVIDIA Tesla M60", "auto"],
      ["sriov", "trading-a", "user"],
      ["sriov", "trading-z", "user"],
      ["vgpu", "NVIDIA A100-PCIE-40GB.compute/A100-4C", "auto"],
    ]);

    const alloc = async (vm: string) =>
      (await t.db.deviceAllocation.findMany({ where: { vm: { name: vm } }, include: { gpu: true, nic: true } }))
        .map((a) => `${a.type}:${a.gpu?.name ?? a.nic?.name}:${a.slot ?? a.vf ?? "-"}`)
        .sort();
    // t2 named h1-gpu1, so t1's "any M60" got h1-gpu2; vGPU slots fill the partly used GPU first;
    // VFs: lowest free VF of the first NIC carrying the tag, then the next NIC.
    expect(await alloc("t1")).toEqual(["gpu:h1-gpu2:-", "sriov:ens1f0:0", "sriov:ens1f0:1", "sriov:ens1f1:0", "vgpu:h1-gpu0:0"]);
    expect(await alloc("t2")).toEqual(["gpu:h1-gpu1:-", "vgpu:h1-gpu0:1", "vgpu:h1-gpu0:2"]);
    expect(await alloc("off1")).toEqual([]);

    const leases = await t.db.ipLease.findMany({ include: { vm: true }, orderBy: { address: "asc" } });
    expect(leases.map((l) => [l.vm.name, l.address, l.static])).toEqual([
      ["t2", "10.10.0.10", true],
      ["t1", "10.10.0.11", false],
      ["remote", "10.10.0.12", false],
    ]);
    const net = await t.db.network.findUniqueOrThrow({ where: { name: "prod" } });
    expect(net).toMatchObject({ managed: true, poolStart: "10.10.0.10", poolEnd: "10.10.0.250", dns: "10.10.0.2" });

    const sessions = await t.db.storageSession.findMany({ include: { vm: true, controller: true } });
    const by = (vm: string) => sessions.filter((s) => s.vm.name === vm).map((s) => `${s.diskIndex}/${s.session}@${s.controller.name}`).sort();
    expect(by("t1")).toEqual(["0/0@h1", "0/1@h1", "1/0@h1", "1/1@h1"]);
    expect(by("t2")).toEqual(["0/0@h1"]);
    expect(by("remote")).toEqual(["0/0@h1", "0/1@h1"]); // h2 has no storage controller

    const t1 = await t.db.vm.findUniqueOrThrow({
      where: { name: "t1" },
      include: { disks: true, nics: true, deviceRequests: true, hostAffinity: true, groupMemberships: true },
    });
    expect(t1).toMatchObject({ power: "running", desiredPower: "on", haPriority: "high", generation: 1, powerSince: now });
    expect(t1.disks.map((d) => d.bus).sort()).toEqual(["sata", "virtio-scsi"]);
    expect(t1.nics).toHaveLength(2);
    expect(t1.deviceRequests).toHaveLength(3);
    expect(t1.hostAffinity).toHaveLength(2);
    expect(t1.groupMemberships).toHaveLength(2);
    const off = await t.db.vm.findUniqueOrThrow({ where: { name: "off1" } });
    expect(off).toMatchObject({ power: "stopped", desiredPower: "off", hostId: null, generation: 0 });

    const h1 = await t.db.host.findUniqueOrThrow({ where: { name: "h1" }, include: { zone: true, nics: true } });
    expect(h1).toMatchObject({ state: "online", lastHeartbeatAt: now, storageControllerPresent: true });
    expect(h1.zone?.name).toBe("az-a");
    expect(h1.nics.filter((n) => n.bond === "stor0")).toHaveLength(2);
    const zg = await t.db.placementGroup.findUniqueOrThrow({ where: { name: "in-a" }, include: { zone: true } });
    expect(zg.zone?.name).toBe("az-a");
  });

  it("refuses an invalid spec with zod paths and writes nothing", async () => {
    const spec = rich() as Record<string, unknown> & { vms: Record<string, unknown>[] };
    spec.vms[0].host = "h9";
    spec.vms[1].bogus = true;
    const err = await importCluster(t.db, spec as TClusterSpecInput).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("VALIDATION");
    expect(err.fieldErrors["vms.0.host"]).toEqual([expect.stringMatching(/unknown host "h9"/)]);
    expect(err.fieldErrors["vms.1"]).toEqual([expect.stringMatching(/bogus/)]);
    expect(await t.db.cluster.count()).toBe(0);
  });

  it("refuses an impossible initial placement, naming the VM and the field", async () => {
    const spec = rich();
    spec.vms![0].devices![0] = { type: "sriov", tag: "trading-a", count: 7 }; // h1 has 6 VFs tagged trading-a
    const err = await importCluster(t.db, spec).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toMatch(/VM t1/);
    expect(err.fieldErrors["vms.0.devices.0"][0]).toMatch(/6 free SR-IOV VF\(s\) tagged "trading-a", the VM asks for 7/);
    expect(await t.db.vm.count()).toBe(0);
  });

  it("refuses VMs that overcommit their host's vCPUs at t=0", async () => {
    const spec = rich();
    spec.vms![2].vcpus = 40; // h2 has 32 CPUs
    const err = await importCluster(t.db, spec).catch((e) => e);
    expect(err.fieldErrors["vms.2.host"][0]).toMatch(/32 CPUs.*40 vCPUs/);
  });

  it("refuses an exhausted address pool", async () => {
    const spec = rich();
    spec.networks![0].pool = ["10.10.0.10", "10.10.0.11"];
    const err = await importCluster(t.db, spec).catch((e) => e);
    expect(err.fieldErrors["vms.2.nics.0"][0]).toMatch(/no free address/);
  });

  it("refuses a second cluster of the same name", async () => {
    await importCluster(t.db, { hosts: [{ name: "a", cpus: 1, memoryGiB: 1 }] }, { name: "x" });
    const err = await importCluster(t.db, { hosts: [{ name: "b", cpus: 1, memoryGiB: 1 }] }, { name: "x" }).catch((e) => e);
    expect(err.code).toBe("CONFLICT");
  });

  it("the store refuses a second allocation of the same VF", async () => {
    await importCluster(t.db, rich());
    const first = await t.db.deviceAllocation.findFirstOrThrow({ where: { type: "sriov" }, orderBy: { vf: "asc" } });
    const off1 = await t.db.vm.findUniqueOrThrow({ where: { name: "off1" } });
    // same VF under a different key: the (nicId, vf) constraint holds
    await expect(
      t.db.deviceAllocation.create({
        data: { deviceKey: `vf:${first.nicId}:${first.vf}:again`, vmId: off1.id, hostId: first.hostId, type: "sriov", tag: "trading-a", nicId: first.nicId, vf: first.vf },
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    // same key: the deviceKey constraint holds
    await expect(
      t.db.deviceAllocation.create({
        data: { deviceKey: first.deviceKey, vmId: off1.id, hostId: first.hostId, type: "sriov", tag: "trading-a" },
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    expect(await t.db.deviceAllocation.count({ where: { vmId: off1.id } })).toBe(0);
  });
});
