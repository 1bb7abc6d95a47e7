import "server-only";
import { getDb, type Db } from "@/lib/server/db";
import { clip } from "./alerts";
import { humanizeMessages } from "./text-refs";
import { byLiveVersion } from "./live-cache";

export interface CapacityLine {
  /** Zone name; null for hosts without a zone. */
  zone: string | null;
  zoneRole: string | null;
  hosts: number;
  hostsOnline: number;
  cpus: number;
  /** vCPUs of hosts that are online (what placement can use). */
  cpusOnline: number;
  vcpusAllocated: number;
  memoryMiB: number;
  memoryMiBOnline: number;
  memoryMiBAllocated: number;
}

export interface Overview {
  hostsByState: Record<string, number>;
  hostCount: number;
  vmsByPower: Record<string, number>;
  vmCount: number;
  vmsWithDevices: number;
  gpus: { total: number; passthrough: number; passthroughUsed: number; partitioned: number };
  vgpuSlots: { total: number; used: number };
  vfs: { total: number; used: number };
  /** Per zone, then the cluster total (zone null, zoneRole "total") last. */
  capacity: CapacityLine[];
  /** Alert counts: `critical + warning + info === open` (severities of the open alerts only). */
  alerts: { open: number; acknowledged: number; critical: number; warning: number; info: number };
  recentAlerts: { id: string; kind: string; severity: string; status: string; message: string; raisedAt: string; entityName: string }[];
  openIncidents: number;
  recentIncidents: { id: string; seq: number; kind: string; status: string; openedAt: string; summary: string | null; host: string | null }[];
  networks: number;
}

/** The dashboard: counts, device usage, capacity per zone and the latest alerts, in grouped queries. */
export async function getOverview(db: Db = getDb()): Promise<Overview> {
  const [
    hostsByState,
    vmsByPower,
    vmsWithDevices,
    gpuKinds,
    slotSum,
    vfSum,
    allocByType,
    hostRows,
    zones,
    vmByHost,
    alertGroups,
    recentAlertIds,
    openIncidents,
    recentIncidents,
    networks,
  ] = await Promise.all([
    db.host.groupBy({ by: ["state"], _count: { _all: true } }),
    db.vm.groupBy({ by: ["power"], _count: { _all: true } }),
    db.vm.count({ where: { deviceRequests: { some: {} } } }),
    db.gpu.groupBy({ by: ["vgpuProfile"], _count: { _all: true } }),
    db.gpu.aggregate({ where: { NOT: { vgpuProfile: null } }, _sum: { vgpuSlots: true } }),
    db.nic.aggregate({ where: { NOT: { tag: null } }, _sum: { sriovVfs: true } }),
    db.deviceAllocation.groupBy({ by: ["type"], _count: { _all: true } }),
    db.host.findMany({ select: { id: true, zoneId: true, state: true, cpus: true, memoryMiB: true } }),
    db.zone.findMany({ select: { id: true, name: true, role: true }, orderBy: { name: "asc" } }),
    db.vm.groupBy({ by: ["hostId"], where: { NOT: { hostId: null } }, _sum: { vcpus: true, memoryMiB: true } }),
    db.alert.groupBy({ by: ["status", "severity"], where: { status: { in: ["open", "acknowledged"] } }, _count: { _all: true } }),
    db.alert.findMany({ where: { status: { in: ["open", "acknowledged"] } }, orderBy: [{ raisedAt: "desc" }, { id: "asc" }], take: 6, select: { id: true } }),
    db.incident.count({ where: { status: "open" } }),
    db.incident.findMany({
      orderBy: { openedAt: "desc" },
      take: 5,
      select: { id: true, seq: true, kind: true, status: true, openedAt: true, summary: true, host: { select: { name: true } } },
    }),
    db.network.count(),
  ]);

  // The latest alerts are cut on ids first (narrow sort), then loaded.
  const alertOrder = new Map(recentAlertIds.map((a, i) => [a.id, i]));
  const recentAlerts = recentAlertIds.length
    ? (
        await db.alert.findMany({
          where: { id: { in: recentAlertIds.map((a) => a.id) } },
          select: { id: true, kind: true, severity: true, status: true, message: true, raisedAt: true, entityName: true },
        })
      ).sort((a, b) => alertOrder.get(a.id)! - alertOrder.get(b.id)!)
    : [];

  const allocs = Object.fromEntries(allocByType.map((a) => [a.type, a._count._all]));
  const passthrough = gpuKinds.find((g) => g.vgpuProfile === null)?._count._all ?? 0;
  const gpuTotal = gpuKinds.reduce((n, g) => n + g._count._all, 0);

  const alloc = new Map(vmByHost.map((v) => [v.hostId, v._sum]));
  const lines = new Map<string | null, CapacityLine>();
  const zoneById = new Map(zones.map((z) => [z.id, z]));
  for (const z of zones) lines.set(z.id, emptyLine(z.name, z.role));
  const total = emptyLine(null, "total");
  for (const h of hostRows) {
    const key = h.zoneId && zoneById.has(h.zoneId) ? h.zoneId : null;
    if (!lines.has(key)) lines.set(key, emptyLine(null, null));
    const s = alloc.get(h.id);
    for (const line of [lines.get(key)!, total]) {
      line.hosts += 1;
      line.cpus += h.cpus;
      line.memoryMiB += h.memoryMiB;
      if (h.state === "online") {
        line.hostsOnline += 1;
        line.cpusOnline += h.cpus;
        line.memoryMiBOnline += h.memoryMiB;
      }
      line.vcpusAllocated += s?.vcpus ?? 0;
      line.memoryMiBAllocated += s?.memoryMiB ?? 0;
    }
  }
  const capacity = [...lines.values()].filter((l) => l.hosts > 0 || l.zone !== null);
  if (capacity.length !== 1 || capacity[0].zone !== null) capacity.push(total);

  const count = (status: string | null, severity: string | null) =>
    alertGroups
      .filter((g) => (status === null || g.status === status) && (severity === null || g.severity === severity))
      .reduce((n, g) => n + g._count._all, 0);

  return {
    hostsByState: Object.fromEntries(hostsByState.map((h) => [h.state, h._count._all])),
    hostCount: hostRows.length,
    vmsByPower: Object.fromEntries(vmsByPower.map((v) => [v.power, v._count._all])),
    vmCount: vmsByPower.reduce((n, v) => n + v._count._all, 0),
    vmsWithDevices,
    gpus: { total: gpuTotal, passthrough, passthroughUsed: allocs.gpu ?? 0, partitioned: gpuTotal - passthrough },
    vgpuSlots: { total: slotSum._sum.vgpuSlots ?? 0, used: allocs.vgpu ?? 0 },
    vfs: { total: vfSum._sum.sriovVfs ?? 0, used: allocs.sriov ?? 0 },
    capacity,
    alerts: {
      open: count("open", null),
      acknowledged: count("acknowledged", null),
      critical: count("open", "critical"),
      warning: count("open", "warning"),
      info: count("open", "info"),
    },
    recentAlerts: (await humanizeMessages(recentAlerts, db)).map((a) => ({ ...a, message: clip(a.message, 300), raisedAt: a.raisedAt.toISOString() })),
    openIncidents,
    recentIncidents: recentIncidents.map((i) => ({
      id: i.id,
      seq: i.seq,
      kind: i.kind,
      status: i.status,
      openedAt: i.openedAt.toISOString(),
      summary: i.summary,
      host: i.host?.name ?? null,
    })),
    networks,
  };
}

function emptyLine(zone: string | null, zoneRole: string | null): CapacityLine {
  return {
    zone,
    zoneRole,
    hosts: 0,
    hostsOnline: 0,
    cpus: 0,
    cpusOnline: 0,
    vcpusAllocated: 0,
    memoryMiB: 0,
    memoryMiBOnline: 0,
    memoryMiBAllocated: 0,
  };
}

/** getOverview once per live version of the store (the dashboard: many browsers, one round of queries). */
export function getOverviewLive(): Promise<Overview> {
  return byLiveVersion("overview", getOverview);
}

export type OpenAlertCounts = { open: number; critical: number; warning: number; info: number };

/** countActiveAlerts once per live version (the header badge on every page). */
export function countActiveAlertsLive(): Promise<OpenAlertCounts> {
  return byLiveVersion("active-alerts", countActiveAlerts);
}

/** Open alerts by severity (the header badge): `critical + warning + info === open`. */
export async function countActiveAlerts(db: Db = getDb()): Promise<OpenAlertCounts> {
  const g = await db.alert.groupBy({ by: ["severity"], where: { status: "open" }, _count: { _all: true } });
  const of = (sev: string) => g.filter((x) => x.severity === sev).reduce((n, x) => n + x._count._all, 0);
  return { open: g.reduce((n, x) => n + x._count._all, 0), critical: of("critical"), warning: of("warning"), info: of("info") };
}
