import "server-only";
import { cache } from "react";
import type { Prisma } from "@prisma/client";
import { getDb, type Db } from "@/lib/server/db";
import type { DeviceType } from "@/lib/engine/types";
import {
  byName,
  enumParam,
  pageOf,
  pageParams,
  param,
  skipTake,
  sortParams,
  type Page,
  type SearchParams,
  type SortDir,
} from "./params";
import { GPU_ROW_SELECT, gpuRow, type GpuUnitRow } from "./gpu-rows";
import { listOpenAlerts, type OpenAlertRow } from "./detail";
import { HEARTBEAT_PERSIST_MS } from "@/lib/server/ha/context";
import type { HeartbeatTiming } from "@/lib/display/host-truth";

export const HOST_STATES = ["online", "unreachable", "failed", "maintenance", "isolated"] as const;
export type HostStateName = (typeof HOST_STATES)[number];
export const HOST_SORTS = ["name", "state", "zone", "cpus", "memory", "vms"] as const;
export type HostSort = (typeof HOST_SORTS)[number];

export interface HostListQuery {
  state?: HostStateName;
  /** Zone name. */
  zone?: string;
  /** Substring of the host name. */
  q?: string;
  sort: HostSort;
  dir: SortDir;
  page: number;
  pageSize: number;
}

export function parseHostListQuery(sp: SearchParams): HostListQuery {
  return {
    state: enumParam(sp, "state", HOST_STATES),
    zone: param(sp, "zone"),
    q: param(sp, "q"),
    ...sortParams(sp, HOST_SORTS, "name"),
    ...pageParams(sp),
  };
}

/** The host fields the list row and the detail share (see hostCore). */
export interface HostCore {
  id: string;
  name: string;
  address: string | null;
  state: string;
  stateSince: string;
  lastHeartbeatAt: string | null;
  /** Driven by the demo's simulated agent, not a real one (Host.simulated). */
  simulated: boolean;
}

export interface HostRow extends HostCore {
  zone: string | null;
  cpus: number;
  memoryMiB: number;
  /** Sum over the VMs that hold resources here (hostId set). */
  vcpusAllocated: number;
  memoryMiBAllocated: number;
  vmCount: number;
  gpuCount: number;
  /** Device units: GPUs (whole) + vGPU slots + SR-IOV VFs; used = allocated units. */
  deviceUnits: number;
  deviceUnitsUsed: number;
  storageControllerHealthy: boolean;
  storageControllerPresent: boolean;
  /** Storage NICs down / total (a bond with one NIC down is degraded). */
  storageNicsDown: number;
  storageNics: number;
}

/** The host columns both the list row and the detail start from. */
const hostCoreSelect = {
  id: true,
  name: true,
  address: true,
  state: true,
  stateSince: true,
  lastHeartbeatAt: true,
  simulated: true,
  cpus: true,
  memoryMiB: true,
  storageControllerHealthy: true,
  storageControllerPresent: true,
} satisfies Prisma.HostSelect;

function hostCore(h: Pick<Prisma.HostGetPayload<{ select: typeof hostCoreSelect }>, "id" | "name" | "address" | "state" | "stateSince" | "lastHeartbeatAt" | "simulated">): HostCore {
  return {
    id: h.id,
    name: h.name,
    address: h.address,
    state: h.state,
    stateSince: h.stateSince.toISOString(),
    lastHeartbeatAt: h.lastHeartbeatAt?.toISOString() ?? null,
    simulated: h.simulated,
  };
}

function hostOrderBy(sort: HostSort, dir: SortDir): Prisma.HostOrderByWithRelationInput[] {
  switch (sort) {
    case "state":
      return [{ state: dir }, { name: "asc" }];
    case "zone":
      return [{ zone: { name: dir } }, { name: "asc" }];
    case "cpus":
      return [{ cpus: dir }, { name: "asc" }];
    case "memory":
      return [{ memoryMiB: dir }, { name: "asc" }];
    case "vms":
      return [{ vms: { _count: dir } }, { name: "asc" }];
    default:
      return [{ name: dir }];
  }
}

export function hostWhere(q: Pick<HostListQuery, "state" | "zone" | "q">): Prisma.HostWhereInput {
  const where: Prisma.HostWhereInput = {};
  if (q.state) where.state = q.state;
  if (q.zone) where.zone = { name: q.zone };
  if (q.q) where.name = { contains: q.q };
  return where;
}

/** One page of hosts with their allocated capacity; 4 queries whatever the page size. */
export async function listHosts(query: HostListQuery, db: Db = getDb()): Promise<Page<HostRow>> {
  const where = hostWhere(query);
  const [total, hosts] = await Promise.all([
    db.host.count({ where }),
    db.host.findMany({
      where,
      orderBy: hostOrderBy(query.sort, query.dir),
      ...skipTake(query.page, query.pageSize),
      select: {
        ...hostCoreSelect,
        zone: { select: { name: true } },
        gpus: { select: { vgpuSlots: true, vgpuProfile: true } },
        nics: { select: { sriovVfs: true, tag: true, role: true, linkUp: true } },
      },
    }),
  ]);
  const ids = hosts.map((h) => h.id);
  const [vmSums, allocCounts] = ids.length
    ? await Promise.all([
        db.vm.groupBy({
          by: ["hostId"],
          where: { hostId: { in: ids } },
          _sum: { vcpus: true, memoryMiB: true },
          _count: { _all: true },
        }),
        db.deviceAllocation.groupBy({ by: ["hostId"], where: { hostId: { in: ids } }, _count: { _all: true } }),
      ])
    : [[], []];
  const sums = new Map(vmSums.map((s) => [s.hostId, s]));
  const allocs = new Map(allocCounts.map((a) => [a.hostId, a._count._all]));
  const rows: HostRow[] = hosts.map((h) => {
    const s = sums.get(h.id);
    const deviceUnits =
      h.gpus.reduce((n, g) => n + (g.vgpuProfile ? (g.vgpuSlots ?? 0) : 1), 0) +
      h.nics.reduce((n, nic) => n + (nic.tag ? nic.sriovVfs : 0), 0);
    const storage = h.nics.filter((n) => n.role === "storage");
    return {
      ...hostCore(h),
      zone: h.zone?.name ?? null,
      cpus: h.cpus,
      memoryMiB: h.memoryMiB,
      vcpusAllocated: s?._sum.vcpus ?? 0,
      memoryMiBAllocated: s?._sum.memoryMiB ?? 0,
      vmCount: s?._count._all ?? 0,
      gpuCount: h.gpus.length,
      deviceUnits,
      deviceUnitsUsed: allocs.get(h.id) ?? 0,
      storageControllerHealthy: h.storageControllerHealthy,
      storageControllerPresent: h.storageControllerPresent,
      storageNics: storage.length,
      storageNicsDown: storage.filter((n) => !n.linkUp).length,
    };
  });
  return pageOf(rows, total, query.page, query.pageSize);
}

/** Filter options of the hosts list: zones and the number of hosts in each state. */
export async function listHostFacets(db: Db = getDb()): Promise<{ zones: string[]; states: Record<string, number> }> {
  const [zones, states] = await Promise.all([
    db.zone.findMany({ select: { name: true }, orderBy: { name: "asc" } }),
    db.host.groupBy({ by: ["state"], _count: { _all: true } }),
  ]);
  return {
    zones: zones.map((z) => z.name),
    states: Object.fromEntries(states.map((s) => [s.state, s._count._all])),
  };
}

/** Host names and ids for pickers (the VM list's host filter). Sorted by name. */
export async function listHostNames(db: Db = getDb()): Promise<{ id: string; name: string; state: string }[]> {
  return db.host.findMany({ select: { id: true, name: true, state: true }, orderBy: { name: "asc" } });
}

// ---------------------------------------------------------------------------------------------
// Host detail

export type HostGpu = GpuUnitRow;

export interface HostNic {
  id: string;
  name: string;
  role: string;
  bond: string | null;
  linkUp: boolean;
  speedGbps: number;
  tag: string | null;
  vfsTotal: number;
  vfsUsed: number;
  vms: { id: string; name: string; vf: number | null }[];
}

export interface HostVm {
  id: string;
  name: string;
  power: string;
  /** When the power state last changed (ISO): `unknown` says since when. */
  powerSince: string;
  vcpus: number;
  memoryMiB: number;
  haPriority: string;
  devices: number;
}

export interface HostDetail extends HostCore {
  zone: { name: string; role: string } | null;
  cpus: number;
  memoryMiB: number;
  vcpusAllocated: number;
  memoryMiBAllocated: number;
  storageControllerPresent: boolean;
  storageControllerHealthy: boolean;
  /** Disk sessions this host's controller serves: for its own VMs, and redirected from others. */
  storageSessionsLocal: number;
  storageSessionsRedirectedIn: number;
  /** Sessions of this host's VMs that go to another host's controller. */
  storageSessionsRedirectedOut: number;
  gpus: HostGpu[];
  nics: HostNic[];
  /** Device pools (type, tag) with units and used units. */
  pools: { type: DeviceType; tag: string; total: number; used: number }[];
  vms: HostVm[];
  vmCount: number;
  placementGroups: { id: string; name: string; type: string; enforcement: string }[];
  openAlerts: OpenAlertRow[];
  createdAt: string;
  updatedAt: string;
  /** The cluster's heartbeat timing, to show the host's last heartbeat against it. */
  heartbeat: HeartbeatTiming;
}

export const HOST_DETAIL_VM_LIMIT = 500;

/** The cluster's heartbeat timing and how often the console records a heartbeat in the store. */
export async function getHeartbeatTiming(db: Db = getDb()): Promise<HeartbeatTiming> {
  const c = await db.cluster.findFirst({ select: { heartbeatS: true, missedHeartbeats: true } });
  return { heartbeatS: c?.heartbeatS ?? 1, missed: c?.missedHeartbeats ?? 3, recordedEveryS: HEARTBEAT_PERSIST_MS / 1000 };
}

/**
 * A host's id and name, or null: the cheap existence check a detail page makes before it
 * streams (so an unknown id answers 404). Deduplicated per request.
 */
export const getHostName = cache(async (id: string, db: Db = getDb()): Promise<{ id: string; name: string } | null> => {
  return db.host.findUnique({ where: { id }, select: { id: true, name: true } });
});

/** A host with its devices, VMs and health; null when there is no such host. */
export async function getHost(id: string, db: Db = getDb()): Promise<HostDetail | null> {
  const h = await db.host.findUnique({
    where: { id },
    select: {
      ...hostCoreSelect,
      createdAt: true,
      updatedAt: true,
      zone: { select: { name: true, role: true } },
      gpus: { orderBy: { name: "asc" }, select: GPU_ROW_SELECT },
      nics: {
        orderBy: { name: "asc" },
        select: {
          id: true,
          name: true,
          role: true,
          bond: true,
          linkUp: true,
          speedGbps: true,
          tag: true,
          sriovVfs: true,
          allocations: { orderBy: { vf: "asc" }, select: { vf: true, vm: { select: { id: true, name: true } } } },
        },
      },
      groupMemberships: { select: { group: { select: { id: true, name: true, type: true, enforcement: true } } } },
    },
  });
  if (!h) return null;

  const [vmAgg, vms, sessionsHere, sessionsOut, alerts, timing] = await Promise.all([
    db.vm.aggregate({ where: { hostId: id }, _sum: { vcpus: true, memoryMiB: true }, _count: { _all: true } }),
    db.vm.findMany({
      where: { hostId: id },
      orderBy: { name: "asc" },
      take: HOST_DETAIL_VM_LIMIT,
      select: {
        id: true,
        name: true,
        power: true,
        powerSince: true,
        vcpus: true,
        memoryMiB: true,
        haPriority: true,
        _count: { select: { allocations: true } },
      },
    }),
    db.storageSession.findMany({ where: { controllerHostId: id }, select: { vm: { select: { hostId: true } } } }),
    db.storageSession.count({ where: { vm: { hostId: id }, NOT: { controllerHostId: id } } }),
    listOpenAlerts(db, { hostId: id }),
    getHeartbeatTiming(db),
  ]);

  const gpus: HostGpu[] = h.gpus.map(gpuRow);
  const nics: HostNic[] = h.nics.map((n) => ({
    id: n.id,
    name: n.name,
    role: n.role,
    bond: n.bond,
    linkUp: n.linkUp,
    speedGbps: n.speedGbps,
    tag: n.tag,
    vfsTotal: n.sriovVfs,
    vfsUsed: n.allocations.length,
    vms: n.allocations.map((a) => ({ id: a.vm.id, name: a.vm.name, vf: a.vf })),
  }));

  const pools = new Map<string, { type: DeviceType; tag: string; total: number; used: number }>();
  const addPool = (type: DeviceType, tag: string, total: number, used: number) => {
    const k = `${type}|${tag}`;
    const p = pools.get(k) ?? { type, tag, total: 0, used: 0 };
    p.total += total;
    p.used += used;
    pools.set(k, p);
  };
  for (const g of gpus) addPool(g.tagType, g.tag, g.slots, g.used);
  for (const n of nics) if (n.tag && n.vfsTotal > 0) addPool("sriov", n.tag, n.vfsTotal, n.vfsUsed);
  const typeOrder: Record<DeviceType, number> = { gpu: 0, vgpu: 1, sriov: 2 };

  const local = sessionsHere.filter((s) => s.vm.hostId === id).length;

  return {
    ...hostCore(h),
    zone: h.zone,
    cpus: h.cpus,
    memoryMiB: h.memoryMiB,
    vcpusAllocated: vmAgg._sum.vcpus ?? 0,
    memoryMiBAllocated: vmAgg._sum.memoryMiB ?? 0,
    storageControllerPresent: h.storageControllerPresent,
    storageControllerHealthy: h.storageControllerHealthy,
    storageSessionsLocal: local,
    storageSessionsRedirectedIn: sessionsHere.length - local,
    storageSessionsRedirectedOut: sessionsOut,
    gpus,
    nics,
    pools: [...pools.values()].sort((a, b) => typeOrder[a.type] - typeOrder[b.type] || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)),
    vms: vms.map((v) => ({
      id: v.id,
      name: v.name,
      power: v.power,
      powerSince: v.powerSince.toISOString(),
      vcpus: v.vcpus,
      memoryMiB: v.memoryMiB,
      haPriority: v.haPriority,
      devices: v._count.allocations,
    })),
    vmCount: vmAgg._count._all,
    placementGroups: h.groupMemberships.map((m) => m.group).sort(byName),
    openAlerts: alerts,
    createdAt: h.createdAt.toISOString(),
    updatedAt: h.updatedAt.toISOString(),
    heartbeat: timing,
  };
}
