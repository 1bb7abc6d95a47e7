// Random clusters for the engine's property tests (property.test.ts): fast-check arbitraries,
// a consistent snapshot builder, moves applied to a snapshot, and the DESIGN invariants every
// plan must keep. Test support only: nothing in the engine imports it.
import { expect } from "vitest";
import fc from "fast-check";
import { snapshotFromSpec, type ClusterSpec, type SpecHost, type SpecVm } from "./testkit";
import { buildCapacity } from "./capacity";
import type { ClusterSnapshot, DeviceAllocation, DeviceRequest, HostState } from "./types";

export const GPU_MODELS = ["NVIDIA L40S", "NVIDIA Tesla M60"];
export const VGPU = { model: "NVIDIA A100-PCIE-40GB", mode: "compute" as const };
export const VGPU_TAGS = ["NVIDIA A100-PCIE-40GB.compute/A100-4C", "NVIDIA A100-PCIE-40GB.compute/A100-8C"];
export const NIC_TAGS = ["trading-a", "trading-b"];

export const hostArb = fc.record({
  cpus: fc.constantFrom(8, 16, 32),
  memoryGiB: fc.constantFrom(32, 64, 128),
  state: fc.constantFrom<HostState>("online", "online", "online", "online", "online", "online", "maintenance", "failed"),
  gpus: fc.array(fc.constantFrom(0, 1), { maxLength: 3 }),
  vgpus: fc.array(fc.record({ profile: fc.constantFrom(0, 1), slots: fc.integer({ min: 1, max: 4 }) }), { maxLength: 2 }),
  nics: fc.array(fc.record({ tag: fc.constantFrom(0, 1), vfs: fc.integer({ min: 0, max: 4 }), linkUp: fc.boolean() }), { maxLength: 2 }),
  zone: fc.constantFrom("az-a", "az-b"),
});

export const reqArb: fc.Arbitrary<DeviceRequest> = fc.oneof(
  fc.record({ type: fc.constant("gpu" as const), tag: fc.constantFrom(...GPU_MODELS), count: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ type: fc.constant("vgpu" as const), tag: fc.constantFrom(...VGPU_TAGS), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant("sriov" as const), tag: fc.constantFrom(...NIC_TAGS), count: fc.integer({ min: 1, max: 2 }) }),
);

export const vmArb = fc.record({
  vcpus: fc.constantFrom(1, 2, 4, 8),
  memoryGiB: fc.constantFrom(2, 4, 8, 16),
  haPriority: fc.constantFrom("high" as const, "medium" as const, "low" as const, "off" as const),
  devices: fc.array(reqArb, { maxLength: 2 }),
  host: fc.integer({ min: 0, max: 7 }),
  on: fc.constantFrom(true, true, true, false),
});

export const clusterArb = fc
  .record({
    hosts: fc.array(hostArb, { minLength: 2, maxLength: 6 }),
    vms: fc.array(vmArb, { maxLength: 24 }),
    anti: fc.array(fc.tuple(fc.nat(23), fc.nat(23)), { maxLength: 2 }),
    policy: fc.record({ haMode: fc.constantFrom("default" as const, "guarantee" as const), faultTolerance: fc.constantFrom(1 as const, 2 as const), reservation: fc.constantFrom("host" as const, "segment" as const) }),
  })
  .map(({ hosts, vms, anti, policy }) => build(hosts, vms, anti, policy));

export type ArbValue<A> = A extends fc.Arbitrary<infer T> ? T : never;
export type HostIn = ArbValue<typeof hostArb>;
export type VmIn = ArbValue<typeof vmArb>;

/** A consistent snapshot: VMs are put on their host only where they fit (the rest are off). */
export function build(hosts: HostIn[], vms: VmIn[], anti: [number, number][], policy: ClusterSpec["policy"]): ClusterSnapshot {
  const specHosts: SpecHost[] = hosts.map((h, i) => ({
    name: `h${i + 1}`,
    cpus: h.cpus,
    memoryGiB: h.memoryGiB,
    zone: h.zone,
    gpus: [
      ...h.gpus.map((m) => ({ model: GPU_MODELS[m] })),
      ...h.vgpus.map((v) => ({ ...VGPU, vgpu: { profile: v.profile ? "A100-8C" : "A100-4C", slots: v.slots } })),
    ],
    nics: h.nics.map((n, k) => ({ name: `ens${k}`, sriovVfs: n.vfs, tag: NIC_TAGS[n.tag], linkUp: n.linkUp })),
  }));
  const specVms: SpecVm[] = vms.map((v, i) => ({ name: `v${String(i + 1).padStart(2, "0")}`, vcpus: v.vcpus, memoryGiB: v.memoryGiB, haPriority: v.haPriority, devices: v.devices }));
  const base = snapshotFromSpec({ policy, hosts: specHosts.map((h) => ({ ...h })), vms: specVms });
  // place the "on" VMs where they fit, as the given state (host states ignored, like a store would hold)
  const cap = buildCapacity({ ...base, hosts: base.hosts.map((h) => ({ ...h, state: "online" as const })) });
  vms.forEach((v, i) => {
    if (!v.on) return;
    const id = specVms[i].name;
    const host = `h${(v.host % hosts.length) + 1}`;
    const out = cap.place(id, { onlyHostIds: [host], purpose: "ha", ignoreReserve: true, explain: false });
    if (out.kind !== "placed") return;
    cap.commit(out);
    const sv = base.vms[i];
    sv.hostId = host;
    sv.power = "running";
    sv.allocations = out.allocations;
  });
  base.hosts.forEach((h, i) => (h.state = hosts[i].state));
  base.groups = anti
    .filter(([a, b]) => a !== b && a < base.vms.length && b < base.vms.length)
    .map(([a, b], k) => ({ id: `g${k}`, name: `apart${k}`, type: "vm-vm-anti-affinity" as const, enforcement: "must" as const, vmIds: [base.vms[a].id, base.vms[b].id], hostIds: [] }));
  return base;
}

export interface Placement {
  hostId: string;
  allocations: DeviceAllocation[];
}

/** Apply moves to a snapshot: the VM leaves its host (null: powered off) and takes the new one. */
export function apply(s: ClusterSnapshot, moves: Map<string, Placement | null>): ClusterSnapshot {
  return {
    ...s,
    vms: s.vms.map((v) => {
      if (!moves.has(v.id)) return v;
      const m = moves.get(v.id);
      return m ? { ...v, hostId: m.hostId, allocations: m.allocations, power: "running" as const } : { ...v, hostId: null, allocations: [], power: "stopped" as const };
    }),
  };
}

/** DESIGN invariants 2 and 3, and every allocation matching the VM's requests on its own host. */
export function checkInvariants(s: ClusterSnapshot): void {
  const keys = new Set<string>();
  const hosts = new Map(s.hosts.map((h) => [h.id, h]));
  const used = new Map<string, { cpu: number; mem: number }>();
  for (const vm of s.vms) {
    if (!vm.hostId) {
      expect(vm.allocations).toEqual([]);
      continue;
    }
    const h = hosts.get(vm.hostId)!;
    const u = used.get(h.id) ?? { cpu: 0, mem: 0 };
    u.cpu += vm.vcpus;
    u.mem += vm.memoryMiB;
    used.set(h.id, u);
    const want = new Map<string, number>();
    for (const d of vm.devices) want.set(`${d.type}|${d.tag}`, (want.get(`${d.type}|${d.tag}`) ?? 0) + d.count);
    const got = new Map<string, number>();
    for (const a of vm.allocations) {
      expect(keys.has(a.key), `unit ${a.key} allocated twice`).toBe(false);
      keys.add(a.key);
      expect(a.hostId).toBe(vm.hostId);
      got.set(`${a.type}|${a.tag}`, (got.get(`${a.type}|${a.tag}`) ?? 0) + 1);
      if (a.type === "sriov") {
        const nic = h.nics.find((n) => n.id === a.nicId)!;
        expect(nic.tag).toBe(a.tag);
        expect(a.vf!).toBeLessThan(nic.sriovVfs);
        expect(a.key).toBe(`vf:${nic.id}:${a.vf}`);
      } else {
        const gpu = h.gpus.find((g) => g.id === a.gpuId)!;
        expect(gpu).toBeDefined();
        if (a.type === "vgpu") {
          expect(a.slot!).toBeLessThan(gpu.vgpu!.slots);
          expect(a.key).toBe(`vgpu:${gpu.id}:${a.slot}`);
        } else {
          expect(gpu.vgpu ?? null).toBeNull();
          expect(a.key).toBe(`gpu:${gpu.id}`);
        }
      }
    }
    expect(got).toEqual(want);
  }
  for (const [id, u] of used) {
    const h = hosts.get(id)!;
    expect(u.cpu).toBeLessThanOrEqual(h.cpus);
    expect(u.mem).toBeLessThanOrEqual(h.memoryMiB);
  }
}
