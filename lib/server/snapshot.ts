import "server-only";
// Store rows → the engine's ClusterSnapshot. The only place that maps Prisma rows into the
// engine's input; the controller, power and maintenance services all decide on its output.
import type { PrismaClient, Prisma } from "@prisma/client";
import type {
  ClusterSnapshot,
  DeviceType,
  HostState,
  HaMode,
  HaPriority,
  NicRole,
  PlacementGroupType,
  Enforcement,
  VmPower,
  ZoneRole,
  GpuMode,
  Reservation,
} from "@/lib/engine";

type Tx = PrismaClient | Prisma.TransactionClient;

export interface LoadSnapshotOptions {
  /** Hosts shown to the engine as failed although their row says otherwise (network-fault HA). */
  unavailableHostIds?: Iterable<string>;
  clusterId?: string;
  /**
   * Devices that failed (the HA controller's memory, keyed by GPU id / NIC id): never allocated
   * until they are healthy again. The store has no device health column, so the snapshot leaves
   * a failed GPU out of its host and gives a failed NIC no VFs.
   */
  failedGpuIds?: Iterable<string>;
  failedNicIds?: Iterable<string>;
  /**
   * Read the VMs in pages of VM_PAGE, awaiting this between pages: the HA controller's process
   * gives its event loop a turn (lib/server/ha/pacing.ts), so loading 20,000 VMs does not hold the
   * agent listener and health for seconds. Without it, one query.
   */
  pace?: () => Promise<void>;
}

/** VMs per query when the snapshot is read in pages (LoadSnapshotOptions.pace). */
export const VM_PAGE = 1000;

const VM_INCLUDE = { deviceRequests: true, allocations: true, hostAffinity: true, disks: true } as const;

async function loadVms(db: Tx, clusterId: string, pace?: () => Promise<void>) {
  if (!pace) return db.vm.findMany({ where: { clusterId }, include: VM_INCLUDE });
  const out: Prisma.VmGetPayload<{ include: typeof VM_INCLUDE }>[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await db.vm.findMany({ where: { clusterId, ...(cursor ? { id: { gt: cursor } } : {}) }, include: VM_INCLUDE, orderBy: { id: "asc" }, take: VM_PAGE });
    out.push(...page);
    if (page.length < VM_PAGE) return out;
    cursor = page[page.length - 1].id;
    await pace();
  }
}

function parseHostOrder(json: string | null): string[] | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;
  } catch {
    return null;
  }
}

/** The cluster's store rows as an engine snapshot (the first cluster unless `clusterId`). */
export async function loadSnapshot(db: Tx, opts: LoadSnapshotOptions = {}): Promise<ClusterSnapshot> {
  const cluster = opts.clusterId
    ? await db.cluster.findUnique({ where: { id: opts.clusterId } })
    : await db.cluster.findFirst({ orderBy: { createdAt: "asc" } });
  if (!cluster) {
    return { policy: { haMode: "default", faultTolerance: 1, reservation: "host" }, zones: [], hosts: [], vms: [], groups: [] };
  }
  const clusterId = cluster.id;
  const [zones, hosts, vms, groups] = await Promise.all([
    db.zone.findMany({ where: { clusterId } }),
    db.host.findMany({ where: { clusterId }, include: { gpus: true, nics: true, zone: true } }),
    loadVms(db, clusterId, opts.pace),
    db.placementGroup.findMany({ where: { clusterId }, include: { vms: true, hosts: true, zone: true } }),
  ]);
  const unavailable = new Set(opts.unavailableHostIds ?? []);
  const failedGpus = new Set(opts.failedGpuIds ?? []);
  const failedNics = new Set(opts.failedNicIds ?? []);
  return {
    policy: {
      haMode: cluster.haMode as HaMode,
      faultTolerance: (cluster.faultTolerance === 2 ? 2 : 1) as 1 | 2,
      reservation: cluster.reservation as Reservation,
      failback: cluster.failback,
    },
    zones: zones.map((z) => ({ name: z.name, role: z.role as ZoneRole })),
    hosts: hosts.map((h) => ({
      id: h.id,
      name: h.name,
      zone: h.zone?.name ?? null,
      cpus: h.cpus,
      memoryMiB: h.memoryMiB,
      state: (unavailable.has(h.id) ? "failed" : h.state) as HostState,
      storageControllerPresent: h.storageControllerPresent,
      storageControllerHealthy: h.storageControllerHealthy,
      // A device its host's agent no longer reports (missingSince, lib/server/agent/reconcile.ts) is
      // left out as a failed one is.
      gpus: h.gpus.filter((g) => !failedGpus.has(g.id) && !g.missingSince).map((g) => ({
        id: g.id,
        name: g.name,
        model: g.model,
        mode: g.mode as GpuMode,
        vgpu: g.vgpuProfile ? { profile: g.vgpuProfile, slots: g.vgpuSlots ?? 0 } : null,
      })),
      nics: h.nics.map((n) => ({
        id: n.id,
        name: n.name,
        role: n.role as NicRole,
        sriovVfs: failedNics.has(n.id) || n.missingSince ? 0 : n.sriovVfs,
        tag: n.tag,
        bond: n.bond,
        linkUp: n.linkUp,
      })),
    })),
    vms: vms.map((v) => ({
      id: v.id,
      name: v.name,
      vcpus: v.vcpus,
      memoryMiB: v.memoryMiB,
      haPriority: v.haPriority as HaPriority,
      // An `unknown` VM (opted out of the isolation response, its host silent) holds its host's
      // resources as a running one does; the controller never plans it while it is unknown.
      power: (v.power === "unknown" ? "running" : v.power) as VmPower,
      hostId: v.hostId,
      devices: [...v.deviceRequests]
        .sort((a, b) => a.index - b.index)
        .map((d) => ({ type: d.type as DeviceType, tag: d.tag, count: d.count, gpuId: d.gpuId })),
      allocations: v.allocations.map((a) => ({
        key: a.deviceKey,
        type: a.type as DeviceType,
        tag: a.tag,
        hostId: a.hostId,
        gpuId: a.gpuId,
        slot: a.slot,
        nicId: a.nicId,
        vf: a.vf,
      })),
      hostAffinity: v.hostAffinity.map((a) => a.hostId),
      disks: [...v.disks].sort((a, b) => a.index - b.index).map((d) => ({ index: d.index, sizeGiB: d.sizeGiB })),
    })),
    groups: groups.map((g) => ({
      id: g.id,
      name: g.name,
      type: g.type as PlacementGroupType,
      enforcement: g.enforcement as Enforcement,
      vmIds: g.vms.map((x) => x.vmId),
      hostIds: g.hosts.map((x) => x.hostId),
      zone: g.zone?.name ?? null,
      hostOrder: g.type === "vm-host" ? parseHostOrder(g.hostOrder) : null,
      failback: g.failback,
    })),
  };
}
