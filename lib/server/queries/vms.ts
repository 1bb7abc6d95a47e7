import "server-only";
import { cache } from "react";
import type { Prisma } from "@prisma/client";
import { getDb, type Db } from "@/lib/server/db";
import { loadSnapshot } from "@/lib/server/snapshot";
import { buildCapacity, type HaEligibility } from "@/lib/engine";
import { eligibilityOf } from "@/lib/engine/ha";
import {
  byName,
  enumParam,
  pageOf,
  pageParams,
  param,
  parseJson,
  skipTake,
  sortParams,
  type Page,
  type SearchParams,
  type SortDir,
} from "./params";
import { listOpenAlerts, type OpenAlertRow } from "./detail";

export const VM_POWERS = ["running", "stopped", "pending", "starting", "stopping", "migrating", "error", "unknown"] as const;
export type VmPowerName = (typeof VM_POWERS)[number];
export const HA_PRIORITIES = ["high", "medium", "low", "off"] as const;
export type HaPriorityName = (typeof HA_PRIORITIES)[number];
export const VM_SORTS = ["name", "vcpus", "memory", "host", "priority", "power"] as const;
export type VmSort = (typeof VM_SORTS)[number];
export const DEVICE_TYPES = ["gpu", "vgpu", "sriov"] as const;

/** `host=none` lists the VMs placed nowhere (stopped or pending). */
export const NO_HOST = "none";

export interface VmListQuery {
  /** Host name, or NO_HOST. */
  host?: string;
  power?: VmPowerName;
  priority?: HaPriorityName;
  /** Has device requests (yes) or none (no). */
  devices?: "yes" | "no";
  /** A device tag the VM requests, as "<type>:<tag>". */
  tag?: { type: string; tag: string };
  q?: string;
  sort: VmSort;
  dir: SortDir;
  page: number;
  pageSize: number;
}

export function parseVmListQuery(sp: SearchParams): VmListQuery {
  const tagRaw = param(sp, "tag");
  let tag: VmListQuery["tag"];
  if (tagRaw) {
    const i = tagRaw.indexOf(":");
    const type = i > 0 ? tagRaw.slice(0, i) : "";
    if ((DEVICE_TYPES as readonly string[]).includes(type) && tagRaw.length > i + 1) tag = { type, tag: tagRaw.slice(i + 1) };
  }
  return {
    host: param(sp, "host"),
    power: enumParam(sp, "power", VM_POWERS),
    priority: enumParam(sp, "priority", HA_PRIORITIES),
    devices: enumParam(sp, "devices", ["yes", "no"] as const),
    tag,
    q: param(sp, "q"),
    ...sortParams(sp, VM_SORTS, "name"),
    ...pageParams(sp),
  };
}

export function vmWhere(q: Omit<VmListQuery, "sort" | "dir" | "page" | "pageSize">): Prisma.VmWhereInput {
  const and: Prisma.VmWhereInput[] = [];
  if (q.host === NO_HOST) and.push({ hostId: null });
  else if (q.host) and.push({ host: { name: q.host } });
  if (q.power) and.push({ power: q.power });
  if (q.priority) and.push({ haPriority: q.priority });
  if (q.devices === "yes") and.push({ deviceRequests: { some: {} } });
  if (q.devices === "no") and.push({ deviceRequests: { none: {} } });
  if (q.tag) and.push({ deviceRequests: { some: { type: q.tag.type, tag: q.tag.tag } } });
  if (q.q) and.push({ name: { contains: q.q } });
  return and.length ? { AND: and } : {};
}

/** The VM fields the list row and the detail share (see vmCore). */
export interface VmCore {
  id: string;
  name: string;
  power: string;
  powerSince: string;
  desiredPower: string;
  vcpus: number;
  memoryMiB: number;
  haPriority: string;
  generation: number;
}

export interface VmRow extends VmCore {
  host: { id: string; name: string; state: string } | null;
  /** Device requests as (type, tag, count). */
  devices: { type: string; tag: string; count: number }[];
  ips: string[];
}

/** The VM columns both the list row and the detail start from. */
const vmCoreSelect = {
  id: true,
  name: true,
  power: true,
  powerSince: true,
  desiredPower: true,
  vcpus: true,
  memoryMiB: true,
  haPriority: true,
  generation: true,
} satisfies Prisma.VmSelect;

function vmCore(v: Prisma.VmGetPayload<{ select: typeof vmCoreSelect }>): VmCore {
  return {
    id: v.id,
    name: v.name,
    power: v.power,
    powerSince: v.powerSince.toISOString(),
    desiredPower: v.desiredPower,
    vcpus: v.vcpus,
    memoryMiB: v.memoryMiB,
    haPriority: v.haPriority,
    generation: v.generation,
  };
}

const vmRowSelect = {
  ...vmCoreSelect,
  host: { select: { id: true, name: true, state: true } },
  deviceRequests: { orderBy: { index: "asc" }, select: { type: true, tag: true, count: true } },
  ipLeases: { orderBy: { address: "asc" }, take: 4, select: { address: true } },
} satisfies Prisma.VmSelect;

type VmRowRaw = Prisma.VmGetPayload<{ select: typeof vmRowSelect }>;

function toVmRow(v: VmRowRaw): VmRow {
  return {
    ...vmCore(v),
    host: v.host,
    devices: v.deviceRequests,
    ips: v.ipLeases.map((l) => l.address),
  };
}

function vmOrderBy(sort: Exclude<VmSort, "priority">, dir: SortDir): Prisma.VmOrderByWithRelationInput[] {
  switch (sort) {
    case "vcpus":
      return [{ vcpus: dir }, { name: "asc" }];
    case "memory":
      return [{ memoryMiB: dir }, { name: "asc" }];
    case "host":
      return [{ host: { name: dir } }, { name: "asc" }];
    case "power":
      return [{ power: dir }, { name: "asc" }];
    default:
      return [{ name: dir }];
  }
}

/**
 * One page of VMs: filtering, sorting and paging all run in the store (indexed where, skip/take
 * and a count), so a page costs the same at 60 or 20,000 VMs.
 *
 * HA priority sorts by rank (high > medium > low > off), which the store cannot order by: the
 * page is cut from per-priority buckets (a groupBy for the bucket sizes, then skip/take inside
 * each bucket the page touches).
 */
export async function listVms(query: VmListQuery, db: Db = getDb()): Promise<Page<VmRow>> {
  const where = vmWhere(query);
  const { skip, take } = skipTake(query.page, query.pageSize);
  if (query.sort !== "priority") {
    const [total, vms] = await Promise.all([
      db.vm.count({ where }),
      db.vm.findMany({ where, orderBy: vmOrderBy(query.sort, query.dir), skip, take, select: vmRowSelect }),
    ]);
    return pageOf(vms.map(toVmRow), total, query.page, query.pageSize);
  }

  // Priority: "asc" shows the highest priority first (the natural reading of a priority column).
  const order = query.dir === "asc" ? [...HA_PRIORITIES] : [...HA_PRIORITIES].reverse();
  const groups = await db.vm.groupBy({ by: ["haPriority"], where, _count: { _all: true } });
  const sizes = new Map(groups.map((g) => [g.haPriority, g._count._all]));
  // Priorities outside the known set (should not exist) are listed last.
  for (const g of groups) if (!(order as string[]).includes(g.haPriority)) order.push(g.haPriority as HaPriorityName);
  const total = groups.reduce((n, g) => n + g._count._all, 0);

  const rows: VmRow[] = [];
  let offset = skip;
  let need = take;
  for (const p of order) {
    if (need <= 0) break;
    const size = sizes.get(p) ?? 0;
    if (offset >= size) {
      offset -= size;
      continue;
    }
    const part = await db.vm.findMany({
      where: { AND: [where, { haPriority: p }] },
      orderBy: { name: "asc" },
      skip: offset,
      take: need,
      select: vmRowSelect,
    });
    rows.push(...part.map(toVmRow));
    need -= part.length;
    offset = 0;
  }
  return pageOf(rows, total, query.page, query.pageSize);
}

/** Counts by power state and by HA priority (the VM list's filter badges). */
export async function listVmFacets(db: Db = getDb()): Promise<{ power: Record<string, number>; priority: Record<string, number> }> {
  const [power, priority] = await Promise.all([
    db.vm.groupBy({ by: ["power"], _count: { _all: true } }),
    db.vm.groupBy({ by: ["haPriority"], _count: { _all: true } }),
  ]);
  return {
    power: Object.fromEntries(power.map((p) => [p.power, p._count._all])),
    priority: Object.fromEntries(priority.map((p) => [p.haPriority, p._count._all])),
  };
}

// ---------------------------------------------------------------------------------------------
// VM detail

export interface VmDetail extends VmCore {
  restartOnMaintenanceExit: boolean;
  /** Issue 10: isolation opt-out and restart policy (null: the cluster's default, given in `clusterRestart`). */
  keepRunningWhenIsolated: boolean;
  restartMaxRestarts: number | null;
  restartMaxRelocations: number | null;
  clusterRestart: { maxRestarts: number; maxRelocations: number | null };
  host: { id: string; name: string; state: string; zone: string | null } | null;
  deviceRequests: {
    index: number;
    type: string;
    tag: string;
    count: number;
    gpu: { id: string; name: string; host: { id: string; name: string } } | null;
    /** Allocations that match this request's (type, tag). */
    allocated: number;
  }[];
  allocations: {
    id: string;
    type: string;
    tag: string;
    deviceKey: string;
    host: { id: string; name: string };
    gpu: { id: string; name: string; model: string; pciAddress: string } | null;
    slot: number | null;
    nic: { id: string; name: string } | null;
    vf: number | null;
  }[];
  nics: {
    index: number;
    mac: string | null;
    staticIp: string | null;
    network: { id: string; name: string; vlan: number | null; managed: boolean };
    lease: { address: string; static: boolean } | null;
  }[];
  disks: {
    index: number;
    sizeGiB: number;
    bus: string;
    sessions: { session: number; controller: { id: string; name: string; state: string; healthy: boolean }; local: boolean }[];
  }[];
  hostAffinity: { id: string; name: string }[];
  placementGroups: { id: string; name: string; type: string; enforcement: string }[];
  lastPlacementReasons: string[] | null;
  recentEvents: { id: string; at: string; kind: string; message: string }[];
  openAlerts: OpenAlertRow[];
  createdAt: string;
  updatedAt: string;
}

/** A VM's id and name, or null (the detail page's existence check before it streams). Deduplicated per request. */
export const getVmName = cache(async (id: string, db: Db = getDb()): Promise<{ id: string; name: string } | null> => {
  return db.vm.findUnique({ where: { id }, select: { id: true, name: true } });
});

/** A VM with its devices (requested and allocated), NICs, disks and storage sessions; null when unknown. */
export async function getVm(id: string, db: Db = getDb()): Promise<VmDetail | null> {
  const v = await db.vm.findUnique({
    where: { id },
    select: {
      ...vmCoreSelect,
      restartOnMaintenanceExit: true,
      keepRunningWhenIsolated: true,
      restartMaxRestarts: true,
      restartMaxRelocations: true,
      cluster: { select: { restartMaxRestarts: true, restartMaxRelocations: true } },
      lastPlacementReasons: true,
      createdAt: true,
      updatedAt: true,
      host: { select: { id: true, name: true, state: true, zone: { select: { name: true } } } },
      deviceRequests: {
        orderBy: { index: "asc" },
        select: {
          index: true,
          type: true,
          tag: true,
          count: true,
          gpu: { select: { id: true, name: true, host: { select: { id: true, name: true } } } },
        },
      },
      allocations: {
        orderBy: [{ type: "asc" }, { deviceKey: "asc" }],
        select: {
          id: true,
          type: true,
          tag: true,
          deviceKey: true,
          slot: true,
          vf: true,
          host: { select: { id: true, name: true } },
          gpu: { select: { id: true, name: true, model: true, pciAddress: true } },
          nic: { select: { id: true, name: true } },
        },
      },
      nics: {
        orderBy: { index: "asc" },
        select: {
          index: true,
          mac: true,
          staticIp: true,
          network: { select: { id: true, name: true, vlan: true, managed: true } },
          lease: { select: { address: true, static: true } },
        },
      },
      disks: { orderBy: { index: "asc" }, select: { index: true, sizeGiB: true, bus: true } },
      storageSessions: {
        orderBy: [{ diskIndex: "asc" }, { session: "asc" }],
        select: {
          diskIndex: true,
          session: true,
          controller: { select: { id: true, name: true, state: true, storageControllerHealthy: true } },
        },
      },
      hostAffinity: { select: { host: { select: { id: true, name: true } } } },
      groupMemberships: { select: { group: { select: { id: true, name: true, type: true, enforcement: true } } } },
    },
  });
  if (!v) return null;

  const [events, alerts] = await Promise.all([
    db.event.findMany({
      where: { vmId: id },
      orderBy: { at: "desc" },
      take: 15,
      select: { id: true, at: true, kind: true, message: true },
    }),
    listOpenAlerts(db, { vmId: id }),
  ]);

  const allocByTag = new Map<string, number>();
  for (const a of v.allocations) allocByTag.set(`${a.type}|${a.tag}`, (allocByTag.get(`${a.type}|${a.tag}`) ?? 0) + 1);
  const reasons = parseJson<unknown>(v.lastPlacementReasons);

  return {
    ...vmCore(v),
    restartOnMaintenanceExit: v.restartOnMaintenanceExit,
    keepRunningWhenIsolated: v.keepRunningWhenIsolated,
    restartMaxRestarts: v.restartMaxRestarts,
    restartMaxRelocations: v.restartMaxRelocations,
    clusterRestart: { maxRestarts: v.cluster.restartMaxRestarts, maxRelocations: v.cluster.restartMaxRelocations },
    host: v.host ? { id: v.host.id, name: v.host.name, state: v.host.state, zone: v.host.zone?.name ?? null } : null,
    deviceRequests: v.deviceRequests.map((r) => {
      // Several requests with the same (type, tag) share the allocations in request order.
      const k = `${r.type}|${r.tag}`;
      const left = allocByTag.get(k) ?? 0;
      const allocated = Math.min(left, r.count);
      allocByTag.set(k, left - allocated);
      return { ...r, allocated };
    }),
    allocations: v.allocations,
    nics: v.nics,
    disks: v.disks.map((d) => ({
      ...d,
      sessions: v.storageSessions
        .filter((s) => s.diskIndex === d.index)
        .map((s) => ({
          session: s.session,
          controller: {
            id: s.controller.id,
            name: s.controller.name,
            state: s.controller.state,
            healthy: s.controller.storageControllerHealthy,
          },
          local: v.host !== null && s.controller.id === v.host.id,
        })),
    })),
    hostAffinity: v.hostAffinity.map((a) => a.host).sort(byName),
    placementGroups: v.groupMemberships.map((m) => m.group).sort(byName),
    lastPlacementReasons: Array.isArray(reasons) ? reasons.map(String) : null,
    recentEvents: events.map((e) => ({ ...e, at: e.at.toISOString() })),
    openAlerts: alerts,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}

/**
 * Whether the VM qualifies for HA (some other host can supply each of its device requests),
 * and if not, why: the engine's answer over the current cluster snapshot. Null for an unknown VM.
 * Loads the whole snapshot, so pages render it in its own Suspense boundary.
 */
export async function getVmHaEligibility(id: string, db: Db = getDb()): Promise<HaEligibility | null> {
  const snapshot = await loadSnapshot(db);
  const vm = snapshot.vms.find((v) => v.id === id);
  if (!vm) return null;
  return eligibilityOf(buildCapacity(snapshot), vm);
}
