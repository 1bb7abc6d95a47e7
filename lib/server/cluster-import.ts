import "server-only";
// Writes a whole cluster (the cluster part of a scenario file, or the demo seed) into the
// store in ONE transaction, with the concrete state of the VMs that run at t=0: device
// allocations, IP leases and storage sessions. Rows are planned in memory first (ids are
// generated here) and written with createMany in batches, so 1,000 hosts / 20,000 VMs take
// seconds, not minutes.
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "@prisma/client";
import { planStorageSessions } from "@/lib/engine/storage-path";
import { createAddressAllocator, type IpamNetwork } from "@/lib/engine/ipam";
import { compareStr } from "@/lib/engine/tags";
import type { ClusterSnapshot } from "@/lib/engine/types";
import {
  ZClusterSpec,
  specGpuId,
  specGpuTag,
  specMemoryMiB,
  specVmIsOn,
  type TClusterSpec,
  type TClusterSpecInput,
} from "@/lib/schemas/cluster-spec";
import { intToIpv4, ipv4ToInt, parseIPv4Cidr } from "@/lib/schemas/ipv4";
import { AppError, appErrorFromZod, isAppError, type FieldErrors } from "./errors";

export interface ImportOptions {
  /** The clock at t=0 (createdAt, stateSince, lastHeartbeatAt, powerSince). Default: now. */
  now?: Date;
  /** The cluster's name (unique in the store). Default "default". */
  name?: string;
}

export interface ImportResult {
  clusterId: string;
  /** Store ids by spec name. */
  hostIds: Record<string, string>;
  vmIds: Record<string, string>;
  /** Store ids by spec GPU id ("h1-gpu0"). */
  gpuIds: Record<string, string>;
  networkIds: Record<string, string>;
  zoneIds: Record<string, string>;
  counts: Record<string, number>;
}

const BATCH = 500;

/** The derived PCI address of a host's i-th GPU: 0000:18:00.0, 0000:28:00.0, … */
export function gpuPciAddress(index: number): string {
  const domain = Math.floor(index / 14);
  const bus = 0x18 + (index % 14) * 0x10;
  return `${domain.toString(16).padStart(4, "0")}:${bus.toString(16).padStart(2, "0")}:00.0`;
}

function macFor(n: number): string {
  const b = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((x) => x.toString(16).padStart(2, "0"));
  return `52:54:00:${b.join(":")}`;
}

interface Plan {
  cluster: Prisma.ClusterCreateManyInput;
  zones: Prisma.ZoneCreateManyInput[];
  hosts: Prisma.HostCreateManyInput[];
  gpus: Prisma.GpuCreateManyInput[];
  nics: Prisma.NicCreateManyInput[];
  tags: { type: string; name: string; origin: string }[];
  networks: Prisma.NetworkCreateManyInput[];
  vms: Prisma.VmCreateManyInput[];
  disks: Prisma.DiskCreateManyInput[];
  vmNics: Prisma.VmNicCreateManyInput[];
  requests: Prisma.DeviceRequestCreateManyInput[];
  affinity: Prisma.VmHostAffinityCreateManyInput[];
  allocations: Prisma.DeviceAllocationCreateManyInput[];
  leases: Prisma.IpLeaseCreateManyInput[];
  sessions: Prisma.StorageSessionCreateManyInput[];
  groups: Prisma.PlacementGroupCreateManyInput[];
  groupVms: Prisma.PlacementGroupVmCreateManyInput[];
  groupHosts: Prisma.PlacementGroupHostCreateManyInput[];
  result: Omit<ImportResult, "counts">;
}

interface GpuState {
  id: string;
  name: string;
  type: "gpu" | "vgpu";
  tag: string;
  slots: number;
  used: Set<number>;
}
interface NicState {
  id: string;
  name: string;
  tag?: string;
  vfs: number;
  used: Set<number>;
}

/**
 * Plans every row of the import. Throws AppError VALIDATION (field errors keyed by spec path,
 * e.g. "vms.3.devices.0") when a VM that is on at t=0 cannot have its devices, addresses,
 * vCPUs or memory on its host.
 */
export function planClusterImport(spec: TClusterSpec, opts: ImportOptions = {}): Plan {
  const now = opts.now ?? new Date();
  const id = () => randomUUID();
  const problems: FieldErrors = {};
  const problem = (path: string, msg: string) => (problems[path] ??= []).push(msg);

  const clusterId = id();
  const c = spec.cluster;
  const cluster: Prisma.ClusterCreateManyInput = {
    id: clusterId,
    name: opts.name ?? "default",
    haMode: c.haMode,
    faultTolerance: c.faultTolerance,
    reservation: c.reservation,
    heartbeatS: c.timing.heartbeat,
    missedHeartbeats: c.timing.missedHeartbeats,
    failureTimeoutS: c.timing.failureTimeout,
    isolationTimeoutS: c.timing.isolationTimeout,
    vmStartS: c.timing.vmStart,
    failback: c.failback,
    ...(c.restart ? { restartMaxRestarts: c.restart.maxRestarts, restartMaxRelocations: c.restart.maxRelocations } : {}),
    maintenanceRebuildAfterS: c.maintenanceRebuildAfter ?? null,
    createdAt: now,
  };

  const zoneIds: Record<string, string> = {};
  const zones = spec.zones.map((z) => {
    zoneIds[z.name] = id();
    return { id: zoneIds[z.name], clusterId, name: z.name, role: z.role };
  });

  // Hosts, GPUs, NICs, tags.
  const hostIds: Record<string, string> = {};
  const gpuIds: Record<string, string> = {};
  const hosts: Plan["hosts"] = [];
  const gpus: Plan["gpus"] = [];
  const nics: Plan["nics"] = [];
  const tagSet = new Map<string, { type: string; name: string; origin: string }>();
  const addTag = (type: string, name: string, origin: string) => {
    const k = `${type}|${name}`;
    if (!tagSet.has(k)) tagSet.set(k, { type, name, origin });
  };
  const hostGpus = new Map<string, GpuState[]>();
  const hostNics = new Map<string, NicState[]>();
  const hostSpec = new Map(spec.hosts.map((h) => [h.name, h]));
  for (const h of spec.hosts) {
    const hostId = id();
    hostIds[h.name] = hostId;
    hosts.push({
      id: hostId,
      clusterId,
      zoneId: h.zone ? zoneIds[h.zone] : null,
      name: h.name,
      cpus: h.cpus,
      memoryMiB: specMemoryMiB(h),
      state: "online",
      stateSince: now,
      lastHeartbeatAt: now,
      storageControllerPresent: h.storageController,
      storageControllerHealthy: true,
      createdAt: now,
    });
    const gs: GpuState[] = [];
    h.gpus.forEach((g, gi) => {
      const gid = id();
      const name = specGpuId(h.name, g, gi);
      gpuIds[name] = gid;
      const t = specGpuTag(g);
      addTag(t.type, t.tag, "auto");
      gpus.push({
        id: gid,
        hostId,
        name,
        vendor: /^(AMD|Intel)\b/i.exec(g.model)?.[1] ?? "NVIDIA",
        model: g.model,
        pciAddress: gpuPciAddress(gi),
        mode: g.mode,
        vgpuProfile: g.vgpu?.profile ?? null,
        vgpuSlots: g.vgpu?.slots ?? null,
      });
      gs.push({ id: gid, name, type: t.type, tag: t.tag, slots: g.vgpu?.slots ?? 1, used: new Set() });
    });
    gs.sort((a, b) => compareStr(a.name, b.name));
    hostGpus.set(h.name, gs);
    const ns: NicState[] = [];
    for (const n of h.nics) {
      const nid = id();
      if (n.tag) addTag("sriov", n.tag, "user");
      nics.push({ id: nid, hostId, name: n.name, role: n.role, sriovVfs: n.sriovVfs, tag: n.tag ?? null, bond: n.bond ?? null });
      ns.push({ id: nid, name: n.name, tag: n.tag, vfs: n.sriovVfs, used: new Set() });
    }
    ns.sort((a, b) => compareStr(a.name, b.name));
    hostNics.set(h.name, ns);
  }

  // Networks and their address pools.
  const networkIds: Record<string, string> = {};
  const pools = new Map<string, { net: IpamNetwork; alloc: ReturnType<typeof createAddressAllocator> | null }>();
  const networks = spec.networks.map((n) => {
    const nid = id();
    networkIds[n.name] = nid;
    let poolStart = n.pool?.[0] ?? null;
    let poolEnd = n.pool?.[1] ?? null;
    const cidr = n.cidr ? parseIPv4Cidr(n.cidr) : null;
    if (n.managed && cidr) {
      const first = poolStart ? ipv4ToInt(poolStart) : cidr.network + 1;
      const last = poolEnd ? ipv4ToInt(poolEnd) : cidr.broadcast - 1;
      poolStart = intToIpv4(first);
      poolEnd = intToIpv4(last);
      pools.set(n.name, { net: { cidr: n.cidr!, gateway: n.gateway ?? null, poolStart, poolEnd }, alloc: null });
    }
    return {
      id: nid,
      clusterId,
      name: n.name,
      vlan: n.vlan ?? null,
      managed: n.managed,
      cidr: n.cidr ?? null,
      gateway: n.gateway ?? null,
      dns: n.dns === undefined ? null : Array.isArray(n.dns) ? n.dns.join(",") : n.dns,
      poolStart,
      poolEnd,
      createdAt: now,
    };
  });
  // Static addresses are taken before any dynamic one; then the engine's IPAM gives the lowest free.
  const statics = new Map<string, string[]>();
  for (const v of spec.vms) for (const n of v.nics) if (n.ip) statics.set(n.network, [...(statics.get(n.network) ?? []), n.ip]);
  for (const [name, pool] of pools) pool.alloc = createAddressAllocator(pool.net, statics.get(name) ?? []);

  // VMs.
  const vmIds: Record<string, string> = {};
  const vms: Plan["vms"] = [];
  const disks: Plan["disks"] = [];
  const vmNics: Plan["vmNics"] = [];
  const requests: Plan["requests"] = [];
  const affinity: Plan["affinity"] = [];
  const allocations: Plan["allocations"] = [];
  const leases: Plan["leases"] = [];
  const sessions: Plan["sessions"] = [];
  const used = new Map<string, { cpus: number; mem: number }>();
  let macSeq = 1;

  spec.vms.forEach((v) => {
    vmIds[v.name] = id();
  });

  // Device allocation at t=0: named GPUs first (every VM), then everything else in spec order,
  // so a VM asking for "any M60" never takes the GPU another VM names.
  const allocate = (vmIdx: number, reqIdx: number) => {
    const v = spec.vms[vmIdx];
    const d = v.devices[reqIdx];
    const host = v.host!;
    const hostId = hostIds[host];
    const vmId = vmIds[v.name];
    const path = `vms.${vmIdx}.devices.${reqIdx}`;
    const push = (a: Omit<Prisma.DeviceAllocationCreateManyInput, "id" | "vmId" | "hostId" | "tag" | "type" | "createdAt">) =>
      allocations.push({ id: id(), vmId, hostId, type: d.type, tag: d.tag, createdAt: now, ...a });
    if (d.type === "gpu") {
      const gs = hostGpus.get(host)!;
      if (d.gpu) {
        const g = gs.find((x) => x.name === d.gpu);
        if (!g) return problem(`${path}.gpu`, `VM ${v.name}: GPU "${d.gpu}" is not on its host ${host}`);
        if (g.used.size > 0) return problem(`${path}.gpu`, `VM ${v.name}: GPU "${d.gpu}" is already given to another VM`);
        g.used.add(0);
        return push({ deviceKey: `gpu:${g.id}`, gpuId: g.id });
      }
      const free = gs.filter((g) => g.type === "gpu" && g.tag === d.tag && g.used.size === 0);
      if (free.length < d.count)
        return problem(path, `VM ${v.name}: host ${host} has ${free.length} free passthrough GPU(s) tagged "${d.tag}", the VM asks for ${d.count}`);
      for (const g of free.slice(0, d.count)) {
        g.used.add(0);
        push({ deviceKey: `gpu:${g.id}`, gpuId: g.id });
      }
      return;
    }
    if (d.type === "vgpu") {
      const gs = hostGpus.get(host)!.filter((g) => g.type === "vgpu" && g.tag === d.tag);
      const free = gs.reduce((a, g) => a + g.slots - g.used.size, 0);
      if (free < d.count)
        return problem(path, `VM ${v.name}: host ${host} has ${free} free vGPU slot(s) tagged "${d.tag}", the VM asks for ${d.count}`);
      for (let k = 0; k < d.count; k++) {
        const open = gs.filter((g) => g.used.size < g.slots);
        const g = open.find((x) => x.used.size > 0) ?? open[0];
        let slot = 0;
        while (g.used.has(slot)) slot++;
        g.used.add(slot);
        push({ deviceKey: `vgpu:${g.id}:${slot}`, gpuId: g.id, slot });
      }
      return;
    }
    const ns = hostNics.get(host)!.filter((n) => n.tag === d.tag && n.vfs > 0);
    const free = ns.reduce((a, n) => a + n.vfs - n.used.size, 0);
    if (free < d.count)
      return problem(path, `VM ${v.name}: host ${host} has ${free} free SR-IOV VF(s) tagged "${d.tag}", the VM asks for ${d.count}`);
    for (let k = 0; k < d.count; k++) {
      const n = ns.find((x) => x.used.size < x.vfs)!;
      let vf = 0;
      while (n.used.has(vf)) vf++;
      n.used.add(vf);
      push({ deviceKey: `vf:${n.id}:${vf}`, nicId: n.id, vf });
    }
  };
  spec.vms.forEach((v, vi) => {
    if (specVmIsOn(v)) v.devices.forEach((d, di) => d.gpu && allocate(vi, di));
  });
  spec.vms.forEach((v, vi) => {
    if (specVmIsOn(v)) v.devices.forEach((d, di) => !d.gpu && allocate(vi, di));
  });

  spec.vms.forEach((v, vi) => {
    const vmId = vmIds[v.name];
    const on = specVmIsOn(v);
    const memoryMiB = specMemoryMiB(v);
    const hostId = on ? hostIds[v.host!] : null;
    if (on) {
      const h = hostSpec.get(v.host!)!;
      const u = used.get(h.name) ?? { cpus: 0, mem: 0 };
      u.cpus += v.vcpus;
      u.mem += memoryMiB;
      used.set(h.name, u);
      if (u.cpus > h.cpus) problem(`vms.${vi}.host`, `VM ${v.name}: host ${h.name} has ${h.cpus} CPUs; the VMs running on it at t=0 need ${u.cpus} vCPUs`);
      if (u.mem > specMemoryMiB(h))
        problem(`vms.${vi}.host`, `VM ${v.name}: host ${h.name} has ${specMemoryMiB(h)} MiB of memory; the VMs running on it at t=0 need ${u.mem} MiB`);
    }
    vms.push({
      id: vmId,
      clusterId,
      name: v.name,
      vcpus: v.vcpus,
      memoryMiB,
      haPriority: v.haPriority,
      desiredPower: on ? "on" : "off",
      power: on ? "running" : "stopped",
      hostId,
      generation: on ? 1 : 0,
      powerSince: now,
      keepRunningWhenIsolated: v.keepRunningWhenIsolated,
      restartMaxRestarts: v.restart?.maxRestarts ?? null,
      restartMaxRelocations: v.restart?.maxRelocations ?? null,
      createdAt: now,
    });
    v.disks.forEach((d, index) => {
      disks.push({ id: id(), vmId, index, sizeGiB: d.sizeGiB, bus: d.bus ?? "virtio-scsi" });
    });
    v.nics.forEach((n, index) => {
      const nicId = id();
      vmNics.push({ id: nicId, vmId, index, networkId: networkIds[n.network], mac: macFor(macSeq++), staticIp: n.ip ?? null });
      const pool = pools.get(n.network);
      if (!on || !pool) return;
      let address: string;
      if (n.ip) address = n.ip;
      else {
        const r = pool.alloc?.ok ? pool.alloc.take() : null;
        if (!r?.ok) return problem(`vms.${vi}.nics.${index}`, `VM ${v.name}: network ${n.network} has no free address in its pool`);
        address = r.address;
      }
      leases.push({ id: id(), networkId: networkIds[n.network], address, vmId, vmNicId: nicId, static: !!n.ip, createdAt: now });
    });
    v.devices.forEach((d, index) => {
      if (d.type === "sriov") addTag("sriov", d.tag, "user");
      requests.push({ id: id(), vmId, index, type: d.type, tag: d.tag, count: d.count, gpuId: d.gpu ? gpuIds[d.gpu] : null });
    });
    for (const h of new Set(v.hostAffinity ?? [])) affinity.push({ vmId, hostId: hostIds[h] });
  });

  // Storage sessions of the running VMs, as the engine's storage-path rules put them
  // (local controller; a remote one when the host has none).
  const snapshot = {
    policy: { haMode: spec.cluster.haMode, faultTolerance: spec.cluster.faultTolerance, reservation: spec.cluster.reservation },
    zones: [],
    groups: [],
    hosts: hosts.map((h) => ({
      id: h.id!,
      name: h.name,
      cpus: h.cpus,
      memoryMiB: h.memoryMiB,
      state: "online" as const,
      storageControllerPresent: h.storageControllerPresent ?? true,
      storageControllerHealthy: true,
      gpus: [],
      nics: [],
    })),
    vms: spec.vms.filter(specVmIsOn).map((v) => ({
      id: vmIds[v.name],
      name: v.name,
      vcpus: v.vcpus,
      memoryMiB: specMemoryMiB(v),
      haPriority: v.haPriority,
      power: "running" as const,
      hostId: hostIds[v.host!],
      devices: [],
      allocations: [],
      hostAffinity: [],
      disks: v.disks.map((d, index) => ({ index, sizeGiB: d.sizeGiB })),
    })),
  } satisfies ClusterSnapshot;
  for (const p of planStorageSessions(snapshot)) {
    if (p.unavailable) continue; // no controller anywhere: the storage-path service reports it
    sessions.push({ id: id(), vmId: p.vmId, diskIndex: p.diskIndex, session: p.session, controllerHostId: p.controllerHostId });
  }

  // Placement groups.
  const groups: Plan["groups"] = [];
  const groupVms: Plan["groupVms"] = [];
  const groupHosts: Plan["groupHosts"] = [];
  for (const g of spec.placementGroups) {
    const gid = id();
    groups.push({
      id: gid,
      clusterId,
      name: g.name,
      type: g.type,
      enforcement: g.enforcement,
      zoneId: g.zone ? zoneIds[g.zone] : null,
      hostOrder: g.hostOrder && g.hostOrder.length ? JSON.stringify(g.hostOrder.map((h) => hostIds[h])) : null,
      failback: g.failback ?? null,
    });
    for (const v of new Set(g.vms)) groupVms.push({ groupId: gid, vmId: vmIds[v] });
    for (const h of new Set(g.hosts ?? [])) groupHosts.push({ groupId: gid, hostId: hostIds[h] });
  }

  if (Object.keys(problems).length > 0) {
    const first = Object.values(problems)[0][0];
    const more = Object.keys(problems).length - 1;
    throw new AppError("VALIDATION", `The cluster's initial placement is impossible: ${first}${more > 0 ? ` (and ${more} more)` : ""}`, problems);
  }

  return {
    cluster,
    zones,
    hosts,
    gpus,
    nics,
    tags: [...tagSet.values()],
    networks,
    vms,
    disks,
    vmNics,
    requests,
    affinity,
    allocations,
    leases,
    sessions,
    groups,
    groupVms,
    groupHosts,
    result: { clusterId, hostIds, vmIds, gpuIds, networkIds, zoneIds },
  };
}

/** Parses a cluster spec, throwing AppError VALIDATION with full-path field errors. */
export function parseClusterSpec(input: unknown): TClusterSpec {
  const r = ZClusterSpec.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Invalid cluster spec");
  return r.data;
}

/** Imports a whole cluster in one transaction. See the file comment. */
export async function importCluster(db: PrismaClient, input: TClusterSpecInput | TClusterSpec, opts: ImportOptions = {}): Promise<ImportResult> {
  const spec = parseClusterSpec(input);
  const plan = planClusterImport(spec, opts);
  const name = plan.cluster.name;

  const counts: Record<string, number> = {};
  try {
    await db.$transaction(
      async (tx) => {
        if (await tx.cluster.findUnique({ where: { name }, select: { id: true } }))
          throw new AppError("CONFLICT", `A cluster named "${name}" already exists`);
        const taken = await tx.host.findMany({ where: { name: { in: plan.hosts.map((h) => h.name).slice(0, 1000) } }, select: { name: true } });
        if (taken.length) throw new AppError("CONFLICT", `Host ${taken[0].name} already exists in the store`);

        const existingTags = await tx.deviceTag.findMany({ select: { type: true, name: true } });
        const have = new Set(existingTags.map((t) => `${t.type}|${t.name}`));
        const tags = plan.tags.filter((t) => !have.has(`${t.type}|${t.name}`)).map((t) => ({ id: randomUUID(), ...t }));

        const many = async <T>(label: string, rows: T[], create: (data: T[]) => Promise<unknown>) => {
          counts[label] = rows.length;
          for (let i = 0; i < rows.length; i += BATCH) await create(rows.slice(i, i + BATCH));
        };
        await tx.cluster.create({ data: plan.cluster });
        await many("zones", plan.zones, (data) => tx.zone.createMany({ data }));
        await many("hosts", plan.hosts, (data) => tx.host.createMany({ data }));
        await many("gpus", plan.gpus, (data) => tx.gpu.createMany({ data }));
        await many("nics", plan.nics, (data) => tx.nic.createMany({ data }));
        await many("deviceTags", tags, (data) => tx.deviceTag.createMany({ data }));
        await many("networks", plan.networks, (data) => tx.network.createMany({ data }));
        await many("vms", plan.vms, (data) => tx.vm.createMany({ data }));
        await many("disks", plan.disks, (data) => tx.disk.createMany({ data }));
        await many("vmNics", plan.vmNics, (data) => tx.vmNic.createMany({ data }));
        await many("deviceRequests", plan.requests, (data) => tx.deviceRequest.createMany({ data }));
        await many("hostAffinity", plan.affinity, (data) => tx.vmHostAffinity.createMany({ data }));
        await many("allocations", plan.allocations, (data) => tx.deviceAllocation.createMany({ data }));
        await many("ipLeases", plan.leases, (data) => tx.ipLease.createMany({ data }));
        await many("storageSessions", plan.sessions, (data) => tx.storageSession.createMany({ data }));
        await many("placementGroups", plan.groups, (data) => tx.placementGroup.createMany({ data }));
        await many("placementGroupVms", plan.groupVms, (data) => tx.placementGroupVm.createMany({ data }));
        await many("placementGroupHosts", plan.groupHosts, (data) => tx.placementGroupHost.createMany({ data }));
      },
      { timeout: 600_000, maxWait: 30_000 },
    );
  } catch (e) {
    if (isAppError(e)) throw e;
    if (typeof e === "object" && e && (e as { code?: string }).code === "P2002")
      throw new AppError("CONFLICT", "The cluster collides with rows already in the store", undefined, { cause: e });
    throw e;
  }
  return { ...plan.result, counts };
}
