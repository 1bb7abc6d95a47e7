// Build engine snapshots from a compact, scenario-like description (tests, benchmarks, demos).
// VMs given a host are placed there with the engine itself, so their device allocations are real.
import type {
  ClusterPolicy,
  ClusterSnapshot,
  DeviceRequest,
  GpuMode,
  HaPriority,
  HostState,
  NicRole,
  PlacementGroupType,
  Enforcement,
  SnapshotHost,
  SnapshotVm,
  VmPower,
  ZoneRole,
} from "./types";
import { buildCapacity } from "./capacity";

export interface SpecHost {
  name: string;
  zone?: string;
  cpus: number;
  memoryGiB?: number;
  memoryMiB?: number;
  state?: HostState;
  storageController?: boolean;
  storageHealthy?: boolean;
  gpus?: { id?: string; model: string; mode?: GpuMode; vgpu?: { profile: string; slots: number } }[];
  nics?: { name: string; role?: NicRole; sriovVfs?: number; tag?: string; bond?: string; linkUp?: boolean }[];
}

export interface SpecVm {
  name: string;
  vcpus: number;
  memoryGiB?: number;
  memoryMiB?: number;
  haPriority?: HaPriority;
  host?: string;
  power?: VmPower;
  hostAffinity?: string[];
  devices?: (Omit<DeviceRequest, "count" | "gpuId"> & { count?: number; gpuId?: string | null })[];
  disks?: number[];
}

export interface SpecGroup {
  name: string;
  type: PlacementGroupType;
  enforcement?: Enforcement;
  vms: string[];
  hosts?: string[];
  zone?: string;
  hostOrder?: string[];
  failback?: boolean;
}

export interface ClusterSpec {
  policy?: Partial<ClusterPolicy>;
  zones?: { name: string; role: ZoneRole }[];
  hosts: SpecHost[];
  vms?: SpecVm[];
  groups?: SpecGroup[];
}

/** Ids equal names (hosts `h1`, VMs `web1`, NICs `h1/ens1f0`), which keeps tests readable. */
export function snapshotFromSpec(spec: ClusterSpec): ClusterSnapshot {
  const hosts: SnapshotHost[] = spec.hosts.map((h) => ({
    id: h.name,
    name: h.name,
    zone: h.zone ?? null,
    cpus: h.cpus,
    memoryMiB: h.memoryMiB ?? (h.memoryGiB ?? 0) * 1024,
    state: h.state ?? "online",
    storageControllerPresent: h.storageController ?? true,
    storageControllerHealthy: h.storageHealthy ?? true,
    gpus: (h.gpus ?? []).map((g, i) => ({
      id: g.id ?? `${h.name}-gpu${i}`,
      name: g.id ?? `${h.name}-gpu${i}`,
      model: g.model,
      mode: g.mode ?? "graphics",
      vgpu: g.vgpu ?? null,
    })),
    nics: (h.nics ?? []).map((n) => ({
      id: `${h.name}/${n.name}`,
      name: n.name,
      role: n.role ?? "vm",
      sriovVfs: n.sriovVfs ?? 0,
      tag: n.tag ?? null,
      bond: n.bond ?? null,
      linkUp: n.linkUp ?? true,
    })),
  }));
  const vms: SnapshotVm[] = (spec.vms ?? []).map((v) => ({
    id: v.name,
    name: v.name,
    vcpus: v.vcpus,
    memoryMiB: v.memoryMiB ?? (v.memoryGiB ?? 0) * 1024,
    haPriority: v.haPriority ?? "medium",
    power: v.power ?? (v.host ? "running" : "stopped"),
    hostId: null,
    devices: (v.devices ?? []).map((d) => ({ type: d.type, tag: d.tag, count: d.count ?? 1, gpuId: d.gpuId ?? null })),
    allocations: [],
    hostAffinity: v.hostAffinity ?? [],
    disks: (v.disks ?? [40]).map((sizeGiB, index) => ({ index, sizeGiB })),
  }));
  const snapshot: ClusterSnapshot = {
    policy: { haMode: "default", faultTolerance: 1, reservation: "segment", ...spec.policy },
    zones: spec.zones ?? [],
    hosts,
    vms,
    groups: (spec.groups ?? []).map((g) => ({
      id: g.name,
      name: g.name,
      type: g.type,
      enforcement: g.enforcement ?? "must",
      vmIds: g.vms,
      hostIds: g.hosts ?? [],
      zone: g.zone ?? null,
      ...(g.hostOrder ? { hostOrder: g.hostOrder } : {}),
      ...(g.failback !== undefined ? { failback: g.failback } : {}),
    })),
  };
  // Put running VMs on their hosts with real allocations, ignoring rules and reserves (it is the given state).
  const placing = { ...snapshot, groups: [], vms: snapshot.vms.map((v) => ({ ...v, hostAffinity: [] })) };
  const cap = buildCapacity({ ...placing, hosts: placing.hosts.map((h) => ({ ...h, state: "online" as const })) });
  const vmById = new Map(vms.map((v) => [v.id, v]));
  for (const v of spec.vms ?? []) {
    if (!v.host) continue;
    const out = cap.place(v.name, { onlyHostIds: [v.host], purpose: "ha", ignoreReserve: true, explain: false });
    if (out.kind !== "placed") throw new Error(`spec: VM ${v.name} does not fit on ${v.host}: ${out.reasons.join(" | ")}`);
    cap.commit(out);
    const vm = vmById.get(v.name)!;
    vm.hostId = v.host;
    vm.allocations = out.allocations;
  }
  return snapshot;
}
