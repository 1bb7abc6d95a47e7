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
    db.vm.findMany({ where: { clusterId }, include: { deviceRequests: true, allocations: true, hostAffinity: true, disks: true } }),
    db.placementGroup.findMany({ where: { clusterId }, include: { vms: true, hosts: true, zone: true } }),
  ]);
  const unavailable = new Set(opts.unavailableHostIds ?? []);
  return {
    policy: {
      haMode: cluster.haMode as HaMode,
      faultTolerance: (cluster.faultTolerance === 2 ? 2 : 1) as 1 | 2,
      reservation: cluster.reservation as Reservation,
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
      gpus: h.gpus.map((g) => ({
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
        sriovVfs: n.sriovVfs,
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
      power: v.power as VmPower,
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
    })),
  };
}
