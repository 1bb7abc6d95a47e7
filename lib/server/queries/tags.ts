import "server-only";
import { getDb, type Db } from "@/lib/server/db";
import { gpuTag, vgpuTag } from "@/lib/engine/tags";
import type { DeviceType, GpuMode } from "@/lib/engine/types";
import { enumParam, param, type SearchParams } from "./params";

export const TAG_TYPES = ["gpu", "vgpu", "sriov"] as const;

export interface TagListQuery {
  type?: DeviceType;
  q?: string;
}

export function parseTagListQuery(sp: SearchParams): TagListQuery {
  return { type: enumParam(sp, "type", TAG_TYPES), q: param(sp, "q") };
}

export interface TagRow {
  type: DeviceType;
  name: string;
  /** user: set by an admin (SR-IOV); auto: derived from GPU model and vGPU profile. */
  origin: "user" | "auto";
  description: string | null;
  /** Declared in the tag registry (DeviceTag), as opposed to only found on devices. */
  declared: boolean;
  /** Physical devices carrying the tag: GPUs (gpu, vgpu) or NICs (sriov). */
  devices: number;
  /** Allocatable units: GPUs, vGPU slots or VFs. */
  units: number;
  used: number;
  free: number;
  /** Free units on online hosts (what a placement can use now). */
  freeOnline: number;
  hosts: { id: string; name: string; state: string }[];
  /** VMs with a device request for the tag. */
  requestingVms: number;
  /** Requested units that have no allocation (VMs stopped, pending or unplaceable). */
  requestedUnits: number;
}

const TYPE_ORDER: Record<DeviceType, number> = { gpu: 0, vgpu: 1, sriov: 2 };

/**
 * Every device tag with its devices, free units, hosts and requesting VMs, computed with
 * grouped queries (one row per host and tag, never per device), so it stays fast at 1,000 hosts.
 */
export async function listTags(query: TagListQuery = {}, db: Db = getDb()): Promise<TagRow[]> {
  const [hosts, declared, passthrough, vgpus, nics, allocs, requests] = await Promise.all([
    db.host.findMany({ select: { id: true, name: true, state: true } }),
    db.deviceTag.findMany({ select: { type: true, name: true, origin: true, description: true } }),
    db.gpu.groupBy({ by: ["model", "mode", "hostId"], where: { vgpuProfile: null }, _count: { _all: true } }),
    db.gpu.groupBy({
      by: ["model", "mode", "vgpuProfile", "hostId"],
      where: { NOT: { vgpuProfile: null } },
      _count: { _all: true },
      _sum: { vgpuSlots: true },
    }),
    db.nic.groupBy({
      by: ["tag", "hostId"],
      where: { NOT: { tag: null }, sriovVfs: { gt: 0 } },
      _count: { _all: true },
      _sum: { sriovVfs: true },
    }),
    db.deviceAllocation.groupBy({ by: ["type", "tag", "hostId"], _count: { _all: true } }),
    db.deviceRequest.groupBy({ by: ["type", "tag", "vmId"], _sum: { count: true } }),
  ]);
  const hostById = new Map(hosts.map((h) => [h.id, h]));

  type Acc = TagRow & { hostIds: Set<string> };
  const rows = new Map<string, Acc>();
  const row = (type: DeviceType, name: string): Acc => {
    const k = `${type}|${name}`;
    let r = rows.get(k);
    if (!r) {
      r = {
        type,
        name,
        origin: type === "sriov" ? "user" : "auto",
        description: null,
        declared: false,
        devices: 0,
        units: 0,
        used: 0,
        free: 0,
        freeOnline: 0,
        hosts: [],
        requestingVms: 0,
        requestedUnits: 0,
        hostIds: new Set(),
      };
      rows.set(k, r);
    }
    return r;
  };
  const addUnits = (r: Acc, hostId: string, devices: number, units: number) => {
    r.devices += devices;
    r.units += units;
    r.free += units;
    if (hostById.get(hostId)?.state === "online") r.freeOnline += units;
    r.hostIds.add(hostId);
  };

  for (const t of declared) {
    if (!(t.type in TYPE_ORDER)) continue;
    const r = row(t.type as DeviceType, t.name);
    r.declared = true;
    r.origin = t.origin === "auto" ? "auto" : "user";
    r.description = t.description;
  }
  for (const g of passthrough) addUnits(row("gpu", gpuTag(g.model, g.mode as GpuMode)), g.hostId, g._count._all, g._count._all);
  for (const g of vgpus) {
    addUnits(row("vgpu", vgpuTag(g.model, g.mode as GpuMode, g.vgpuProfile ?? "")), g.hostId, g._count._all, g._sum.vgpuSlots ?? 0);
  }
  for (const n of nics) if (n.tag) addUnits(row("sriov", n.tag), n.hostId, n._count._all, n._sum.sriovVfs ?? 0);
  const allocatedByTag = new Map<string, number>();
  for (const a of allocs) {
    if (!(a.type in TYPE_ORDER)) continue;
    const r = row(a.type as DeviceType, a.tag);
    const n = a._count._all;
    r.used += n;
    r.free -= n;
    if (hostById.get(a.hostId)?.state === "online") r.freeOnline -= n;
    allocatedByTag.set(`${a.type}|${a.tag}`, (allocatedByTag.get(`${a.type}|${a.tag}`) ?? 0) + n);
  }
  for (const q of requests) {
    if (!(q.type in TYPE_ORDER)) continue;
    const r = row(q.type as DeviceType, q.tag);
    r.requestingVms += 1;
    r.requestedUnits += q._sum.count ?? 0;
  }

  let out: TagRow[] = [...rows.values()].map(({ hostIds, ...r }) => ({
    ...r,
    // Allocations can outlive a device that was removed: never show negative free counts.
    free: Math.max(0, r.free),
    freeOnline: Math.max(0, r.freeOnline),
    requestedUnits: Math.max(0, r.requestedUnits - (allocatedByTag.get(`${r.type}|${r.name}`) ?? 0)),
    hosts: [...hostIds]
      .map((id) => hostById.get(id))
      .filter((h): h is NonNullable<typeof h> => !!h)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  }));
  if (query.type) out = out.filter((r) => r.type === query.type);
  if (query.q) {
    const needle = query.q.toLowerCase();
    out = out.filter((r) => r.name.toLowerCase().includes(needle));
  }
  return out.sort((a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
