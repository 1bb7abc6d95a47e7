// Device tags: derived GPU / vGPU tags, admin SR-IOV tags, and per-host device pools.
// Devices are counted in pools per (host, type, tag); never enumerated as combinations.
import type { ClusterSnapshot, DeviceType, GpuMode, SnapshotHost } from "./types";

/** Passthrough GPU tag: the model name, with `.compute` appended in compute mode. */
export function gpuTag(model: string, mode: GpuMode): string {
  return mode === "compute" ? `${model}.compute` : model;
}

/** vGPU tag: `<model as tagged>/<profile>`, e.g. `NVIDIA A100-PCIE-40GB.compute/A100-4C`. */
export function vgpuTag(model: string, mode: GpuMode, profile: string): string {
  return `${gpuTag(model, mode)}/${profile}`;
}

const TAG_NAME = /^[A-Za-z0-9._/-]{1,64}$/;

/** An admin-set tag name: 1–64 characters of letters, digits, `.`, `_`, `/`, `-`. */
export function isValidTagName(name: string): boolean {
  return TAG_NAME.test(name);
}

/** The tag a GPU's units carry, with the device type they are counted as. */
export function gpuDeviceTag(gpu: { model: string; mode: GpuMode; vgpu?: { profile: string; slots: number } | null }): {
  type: "gpu" | "vgpu";
  tag: string;
  units: number;
} {
  if (gpu.vgpu) return { type: "vgpu", tag: vgpuTag(gpu.model, gpu.mode, gpu.vgpu.profile), units: Math.max(0, gpu.vgpu.slots) };
  return { type: "gpu", tag: gpuTag(gpu.model, gpu.mode), units: 1 };
}

export function compareStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const TYPE_ORDER: Record<DeviceType, number> = { gpu: 0, vgpu: 1, sriov: 2 };

/** A host's device pools: one row per (type, tag) with the number of units (GPUs, vGPU slots, VFs). */
export function hostDevicePools(host: SnapshotHost): { type: DeviceType; tag: string; total: number }[] {
  const pools = new Map<string, { type: DeviceType; tag: string; total: number }>();
  const add = (type: DeviceType, tag: string, n: number) => {
    if (n <= 0) return;
    const k = `${type}|${tag}`;
    const p = pools.get(k);
    if (p) p.total += n;
    else pools.set(k, { type, tag, total: n });
  };
  for (const g of host.gpus) {
    const d = gpuDeviceTag(g);
    add(d.type, d.tag, d.units);
  }
  for (const n of host.nics) if (n.tag && n.sriovVfs > 0) add("sriov", n.tag, n.sriovVfs);
  return [...pools.values()].sort((a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || compareStr(a.tag, b.tag));
}

export interface TagSummary {
  type: DeviceType;
  tag: string;
  /** Units (GPUs, vGPU slots, VFs) on all hosts. */
  total: number;
  /** Units not allocated to any VM (on any host, whatever its state). */
  free: number;
  /** Units not allocated on hosts that are online (usable for placement now). */
  freeOnline: number;
  /** Host ids carrying the tag, sorted. */
  hosts: string[];
  /** VMs that ask for the tag (requests) or hold a unit of it, sorted by id. */
  vmIds: string[];
}

/** Per (type, tag): total, free, hosts and the VMs using it. Sorted by type then tag. */
export function clusterTagSummary(snapshot: ClusterSnapshot): TagSummary[] {
  const rows = new Map<string, TagSummary & { hostSet: Set<string>; vmSet: Set<string> }>();
  const row = (type: DeviceType, tag: string) => {
    const k = `${type}|${tag}`;
    let r = rows.get(k);
    if (!r) {
      r = { type, tag, total: 0, free: 0, freeOnline: 0, hosts: [], vmIds: [], hostSet: new Set(), vmSet: new Set() };
      rows.set(k, r);
    }
    return r;
  };
  const hostState = new Map(snapshot.hosts.map((h) => [h.id, h.state]));
  for (const h of snapshot.hosts) {
    for (const p of hostDevicePools(h)) {
      const r = row(p.type, p.tag);
      r.total += p.total;
      r.free += p.total;
      if (h.state === "online") r.freeOnline += p.total;
      r.hostSet.add(h.id);
    }
  }
  for (const vm of snapshot.vms) {
    for (const d of vm.devices) row(d.type, d.tag).vmSet.add(vm.id);
    for (const a of vm.allocations) {
      const r = row(a.type, a.tag);
      r.vmSet.add(vm.id);
      r.free -= 1;
      if (hostState.get(a.hostId) === "online") r.freeOnline -= 1;
    }
  }
  return [...rows.values()]
    .sort((a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || compareStr(a.tag, b.tag))
    .map(({ hostSet, vmSet, ...r }) => ({
      ...r,
      free: Math.max(0, r.free),
      freeOnline: Math.max(0, r.freeOnline),
      hosts: [...hostSet].sort(compareStr),
      vmIds: [...vmSet].sort(compareStr),
    }));
}
