// The cluster part of a scenario file (../shared/scenarios/FORMAT.md): cluster policy and
// timings, zones, hosts with GPUs and NICs, networks, placement groups and VMs.
// Every object is strict (an unknown field is an error); cross-references are checked
// in `checkClusterSpec` with the path of the offending field.
//
// Extending (the scenario schema): zod 4 cannot `.extend()` a refined object, so use
// `ZClusterSpecObject.extend({...}).superRefine((s, ctx) => { checkClusterSpec(s, ctx); ... })`.
import { z } from "zod";
import { gpuTag, isValidTagName, vgpuTag } from "@/lib/engine/tags";
import { isIPv4, ipv4InCidr, ipv4ToInt, parseIPv4Cidr } from "@/lib/schemas/ipv4";

const name = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(64, `${what} is at most 64 characters`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, `${what} may contain letters, digits, ".", "_" and "-" (starting with a letter or digit)`);

/** An admin-set (SR-IOV) tag name. */
export const ZTagName = z
  .string()
  .refine(isValidTagName, { message: 'a tag name is 1–64 characters of letters, digits, ".", "_", "/" and "-"' });

/** A GPU model name as the host reports it ("NVIDIA Tesla M60"); "/" separates the vGPU profile in tags. */
export const ZGpuModel = z
  .string()
  .min(1, "model must not be empty")
  .max(64, "model is at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._()+-]*$/, 'model may contain letters, digits, spaces and "._()+-"')
  .refine((s) => !s.endsWith(".compute"), { message: 'give the model without ".compute"; set mode "compute" instead' });

/** A vGPU profile ("A100-4C", "M60-2Q"). */
export const ZVgpuProfile = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/, 'profile may contain letters, digits, spaces, ".", "_" and "-" (no "/")');

/** A device request tag: an SR-IOV tag, or a derived GPU / vGPU tag (which may contain spaces). */
export const ZDeviceRequestTag = z
  .string()
  .min(1, "tag must not be empty")
  .max(128, "tag is at most 128 characters")
  .refine((s) => s.trim() === s && !/[\u0000-\u001f]/.test(s), { message: "tag must not start or end with spaces" });

const ZIPv4 = z.string().refine(isIPv4, { message: "not an IPv4 address" });

export const ZTiming = z
  .strictObject({
    heartbeat: z.number().positive().default(1),
    failureTimeout: z.number().positive().default(30),
    isolationTimeout: z.number().positive().default(20),
    missedHeartbeats: z.number().int().positive().default(3),
    vmStart: z.number().nonnegative().default(5),
  })
  .superRefine((t, ctx) => {
    const detect = t.missedHeartbeats * t.heartbeat + t.failureTimeout;
    if (!(t.isolationTimeout < detect)) {
      ctx.addIssue({
        code: "custom",
        path: ["isolationTimeout"],
        message: `isolationTimeout (${t.isolationTimeout}) must be less than missedHeartbeats × heartbeat + failureTimeout (${detect}), so an isolated host powers its VMs off before they are started elsewhere`,
      });
    }
  });

export const ZClusterPolicy = z.strictObject({
  haMode: z.enum(["default", "guarantee", "disabled"]).default("default"),
  faultTolerance: z.union([z.literal(1), z.literal(2)]).default(1),
  reservation: z.enum(["host", "segment"]).default("host"),
  /** Standard VMs away from their preferred host move back when it has room. */
  failback: z.boolean().default(true),
  /** Cluster default of the VMs' restart policy (FORMAT.md "restart"). */
  restart: z
    .strictObject({
      maxRestarts: z.number().int().min(0).max(100).default(1),
      maxRelocations: z.number().int().min(0).max(1000).nullable().default(null),
    })
    .optional(),
  /** Seconds after which a device VM powered off for maintenance is rebuilt elsewhere; null: never. */
  maintenanceRebuildAfter: z.number().positive().nullable().optional(),
  timing: ZTiming.default({ heartbeat: 1, failureTimeout: 30, isolationTimeout: 20, missedHeartbeats: 3, vmStart: 5 }),
});

export const ZZone = z.strictObject({
  name: name("zone name"),
  role: z.enum(["primary", "secondary"]),
});

export const ZGpu = z.strictObject({
  /** Unique in the cluster ("h1-gpu0"); a VM may name it. Defaults to "<host>-gpu<i>". */
  id: name("GPU id").optional(),
  model: ZGpuModel,
  mode: z.enum(["graphics", "compute"]).default("graphics"),
  vgpu: z
    .strictObject({
      profile: ZVgpuProfile,
      slots: z.number().int().min(1, "a partitioned GPU has at least 1 slot").max(64),
    })
    .optional(),
});

export const ZNic = z.strictObject({
  name: name("NIC name"),
  role: z.enum(["vm", "storage", "management"]).default("vm"),
  sriovVfs: z.number().int().min(0).max(256).default(0),
  tag: ZTagName.optional(),
  bond: name("bond name").optional(),
});

const memory = {
  memoryGiB: z.number().positive().optional(),
  memoryMiB: z.number().int().positive().optional(),
};

export const ZHost = z.strictObject({
  name: name("host name"),
  zone: z.string().optional(),
  cpus: z.number().int().positive(),
  ...memory,
  storageController: z.boolean().default(true),
  gpus: z.array(ZGpu).default([]),
  nics: z.array(ZNic).default([]),
});

export const ZNetwork = z.strictObject({
  name: name("network name"),
  vlan: z.number().int().min(0).max(4094).optional(),
  managed: z.boolean().default(false),
  cidr: z.string().optional(),
  gateway: ZIPv4.optional(),
  /** [first, last] of the DHCP pool; defaults to every usable address of the CIDR. */
  pool: z.tuple([ZIPv4, ZIPv4]).optional(),
  dns: z.union([z.array(ZIPv4), ZIPv4]).optional(),
});

export const ZPlacementGroup = z.strictObject({
  name: name("placement group name"),
  type: z.enum(["vm-host", "vm-vm-affinity", "vm-vm-anti-affinity", "zone"]),
  enforcement: z.enum(["must", "should"]).default("must"),
  vms: z.array(z.string()).default([]),
  hosts: z.array(z.string()).optional(),
  /** vm-host only: preference order of hosts, first is most preferred. */
  hostOrder: z.array(z.string()).optional(),
  /** vm-host only: failback of this group; default the cluster's setting. */
  failback: z.boolean().optional(),
  zone: z.string().optional(),
});

export const ZDeviceRequest = z.strictObject({
  type: z.enum(["gpu", "vgpu", "sriov"]),
  tag: ZDeviceRequestTag,
  count: z.number().int().min(1).max(64).default(1),
  /** A passthrough GPU named exactly by its id (type "gpu" only, count 1). */
  gpu: z.string().optional(),
});

export const ZVmNic = z.strictObject({
  network: z.string(),
  ip: ZIPv4.optional(),
});

export const ZDisk = z.strictObject({
  sizeGiB: z.number().int().positive(),
  bus: z.enum(["virtio-scsi", "ide", "sata"]).optional(),
});

export const ZVm = z.strictObject({
  name: name("VM name"),
  vcpus: z.number().int().positive(),
  ...memory,
  /** Where it runs at t=0 (power on). */
  host: z.string().optional(),
  /** Defaults to "on" when a host is given, else "off". */
  power: z.enum(["on", "off"]).optional(),
  haPriority: z.enum(["high", "medium", "low", "off"]).default("medium"),
  hostAffinity: z.array(z.string()).optional(),
  /** Restart policy: restarts in place after a failure, then relocations (null: no limit). Defaults: the cluster's. */
  restart: z
    .strictObject({
      maxRestarts: z.number().int().min(0).max(100).optional(),
      maxRelocations: z.number().int().min(0).max(1000).nullable().optional(),
    })
    .optional(),
  /** The isolation response leaves it running; on a silent host it is "unknown". */
  keepRunningWhenIsolated: z.boolean().default(false),
  devices: z.array(ZDeviceRequest).default([]),
  nics: z.array(ZVmNic).default([]),
  disks: z.array(ZDisk).default([]),
});

export const ZClusterSpecObject = z.strictObject({
  cluster: ZClusterPolicy.default({
    haMode: "default",
    faultTolerance: 1,
    reservation: "host",
    failback: true,
    timing: { heartbeat: 1, failureTimeout: 30, isolationTimeout: 20, missedHeartbeats: 3, vmStart: 5 },
  }),
  zones: z.array(ZZone).default([]),
  hosts: z.array(ZHost).min(1, "a cluster has at least one host"),
  networks: z.array(ZNetwork).default([]),
  placementGroups: z.array(ZPlacementGroup).default([]),
  vms: z.array(ZVm).default([]),
});

type SpecShape = z.output<typeof ZClusterSpecObject>;

/** MiB of a host or VM given with memoryGiB or memoryMiB. */
export function specMemoryMiB(x: { memoryGiB?: number; memoryMiB?: number }): number {
  if (x.memoryMiB !== undefined) return x.memoryMiB;
  return Math.round((x.memoryGiB ?? 0) * 1024);
}

/** The id a GPU has in the spec (explicit, or "<host>-gpu<i>"). */
export function specGpuId(hostName: string, gpu: { id?: string }, index: number): string {
  return gpu.id ?? `${hostName}-gpu${index}`;
}

/** The tag and device type of a spec GPU's units. */
export function specGpuTag(gpu: { model: string; mode: "graphics" | "compute"; vgpu?: { profile: string } }): {
  type: "gpu" | "vgpu";
  tag: string;
} {
  return gpu.vgpu ? { type: "vgpu", tag: vgpuTag(gpu.model, gpu.mode, gpu.vgpu.profile) } : { type: "gpu", tag: gpuTag(gpu.model, gpu.mode) };
}

/** Whether a VM of the spec is powered on at t=0. */
export function specVmIsOn(vm: { host?: string; power?: "on" | "off" }): boolean {
  return (vm.power ?? (vm.host ? "on" : "off")) === "on";
}

type Ctx = { addIssue: (issue: { code: "custom"; message: string; path: PropertyKey[] }) => void };

/** Cross-reference checks of a parsed cluster spec; issues carry the path of the field. */
export function checkClusterSpec(s: SpecShape, ctx: Ctx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });

  const unique = <T>(items: T[], key: (t: T) => string, pathOf: (i: number) => PropertyKey[], what: string) => {
    const seen = new Map<string, number>();
    items.forEach((it, i) => {
      const k = key(it);
      const first = seen.get(k);
      if (first !== undefined) issue(pathOf(i), `duplicate ${what} "${k}" (first at index ${first})`);
      else seen.set(k, i);
    });
    return seen;
  };

  const zones = unique(s.zones, (z) => z.name, (i) => ["zones", i, "name"], "zone name");
  s.zones.forEach((z, i) => {
    if (s.zones.findIndex((o) => o.role === z.role) !== i) issue(["zones", i, "role"], `only one ${z.role} zone is allowed`);
  });
  const hosts = unique(s.hosts, (h) => h.name, (i) => ["hosts", i, "name"], "host name");
  const networks = unique(s.networks, (n) => n.name, (i) => ["networks", i, "name"], "network name");
  unique(s.placementGroups, (g) => g.name, (i) => ["placementGroups", i, "name"], "placement group name");
  const vms = unique(s.vms, (v) => v.name, (i) => ["vms", i, "name"], "VM name");

  // Hosts: zone, memory, GPU ids (unique in the cluster), NIC names (unique per host), bonds.
  const gpus = new Map<string, { host: string; type: "gpu" | "vgpu"; tag: string; path: PropertyKey[] }>();
  s.hosts.forEach((h, hi) => {
    if (h.zone !== undefined && !zones.has(h.zone)) issue(["hosts", hi, "zone"], `unknown zone "${h.zone}"`);
    if ((h.memoryGiB === undefined) === (h.memoryMiB === undefined))
      issue(["hosts", hi, "memoryGiB"], "give exactly one of memoryGiB or memoryMiB");
    h.gpus.forEach((g, gi) => {
      const id = specGpuId(h.name, g, gi);
      const prev = gpus.get(id);
      if (prev) issue(["hosts", hi, "gpus", gi, "id"], `duplicate GPU id "${id}" (also on host ${prev.host})`);
      else gpus.set(id, { host: h.name, ...specGpuTag(g), path: ["hosts", hi, "gpus", gi] });
    });
    unique(h.nics, (n) => n.name, (ni) => ["hosts", hi, "nics", ni, "name"], "NIC name");
  });

  // Networks: a managed network needs an IPv4 CIDR; gateway and pool inside it.
  s.networks.forEach((n, ni) => {
    const at = (f: string) => ["networks", ni, f];
    if (n.cidr === undefined) {
      if (n.managed) issue(at("cidr"), "a managed network needs a cidr");
      if (n.pool) issue(at("pool"), "a pool needs a cidr");
      return;
    }
    const c = parseIPv4Cidr(n.cidr);
    if (!c) return issue(at("cidr"), `"${n.cidr}" is not an IPv4 CIDR like 10.10.0.0/24`);
    if (c.prefix > 30) return issue(at("cidr"), "the prefix must be /30 or shorter");
    if (n.gateway && !ipv4InCidr(n.gateway, n.cidr)) issue(at("gateway"), `gateway ${n.gateway} is not in ${n.cidr}`);
    if (n.pool) {
      const [a, b] = n.pool;
      if (isIPv4(a) && !ipv4InCidr(a, n.cidr)) issue(["networks", ni, "pool", 0], `${a} is not in ${n.cidr}`);
      if (isIPv4(b) && !ipv4InCidr(b, n.cidr)) issue(["networks", ni, "pool", 1], `${b} is not in ${n.cidr}`);
      if (isIPv4(a) && isIPv4(b) && ipv4ToInt(a) > ipv4ToInt(b)) issue(at("pool"), "the pool's first address is after its last");
    }
  });

  // Placement groups.
  s.placementGroups.forEach((g, gi) => {
    const at = (f: string) => ["placementGroups", gi, f];
    g.vms.forEach((v, i) => {
      if (!vms.has(v)) issue(["placementGroups", gi, "vms", i], `unknown VM "${v}"`);
    });
    if (g.type === "vm-host") {
      if (!g.hosts || g.hosts.length === 0) issue(at("hosts"), "a vm-host group needs hosts");
    } else if (g.hosts !== undefined) issue(at("hosts"), `hosts are only for vm-host groups, not ${g.type}`);
    g.hosts?.forEach((h, i) => {
      if (!hosts.has(h)) issue(["placementGroups", gi, "hosts", i], `unknown host "${h}"`);
    });
    if (g.type !== "vm-host") {
      if (g.hostOrder !== undefined) issue(at("hostOrder"), `hostOrder is only for vm-host groups, not ${g.type}`);
      if (g.failback !== undefined) issue(at("failback"), `failback is only for vm-host groups, not ${g.type}`);
    }
    g.hostOrder?.forEach((h, i) => {
      if (!hosts.has(h)) issue(["placementGroups", gi, "hostOrder", i], `unknown host "${h}"`);
      else if (g.hosts && !g.hosts.includes(h)) issue(["placementGroups", gi, "hostOrder", i], `host "${h}" is not in the group's hosts`);
      if (g.hostOrder!.indexOf(h) !== i) issue(["placementGroups", gi, "hostOrder", i], `host "${h}" is listed twice`);
    });
    if (g.type === "zone") {
      if (g.zone === undefined) issue(at("zone"), "a zone group needs a zone");
      else if (!zones.has(g.zone)) issue(at("zone"), `unknown zone "${g.zone}"`);
    } else if (g.zone !== undefined) issue(at("zone"), `zone is only for zone groups, not ${g.type}`);
  });

  // VMs.
  s.vms.forEach((v, vi) => {
    const at = (...p: PropertyKey[]) => ["vms", vi, ...p];
    if ((v.memoryGiB === undefined) === (v.memoryMiB === undefined)) issue(at("memoryGiB"), "give exactly one of memoryGiB or memoryMiB");
    const on = specVmIsOn(v);
    if (v.host !== undefined && !hosts.has(v.host)) issue(at("host"), `unknown host "${v.host}"`);
    if (on && v.host === undefined) issue(at("host"), 'a VM with power "on" needs a host');
    v.hostAffinity?.forEach((h, i) => {
      if (!hosts.has(h)) issue(at("hostAffinity", i), `unknown host "${h}"`);
    });
    if (on && v.host !== undefined && hosts.has(v.host) && v.hostAffinity && v.hostAffinity.length > 0 && !v.hostAffinity.includes(v.host))
      issue(at("host"), `host "${v.host}" is not in the VM's hostAffinity`);
    v.devices.forEach((d, di) => {
      if (d.type === "sriov" && !isValidTagName(d.tag))
        issue(at("devices", di, "tag"), 'an SR-IOV tag is 1–64 characters of letters, digits, ".", "_", "/" and "-"');
      if (d.gpu !== undefined) {
        if (d.type !== "gpu") return issue(at("devices", di, "gpu"), "only a passthrough (type gpu) request may name a GPU");
        if (d.count !== 1) issue(at("devices", di, "count"), "a request naming a GPU has count 1");
        const g = gpus.get(d.gpu);
        if (!g) return issue(at("devices", di, "gpu"), `unknown GPU "${d.gpu}"`);
        if (g.type !== "gpu") issue(at("devices", di, "gpu"), `GPU "${d.gpu}" is partitioned into vGPU slots, not a passthrough GPU`);
        else if (g.tag !== d.tag) issue(at("devices", di, "tag"), `GPU "${d.gpu}" is tagged "${g.tag}", not "${d.tag}"`);
      }
    });
    v.nics.forEach((n, ni) => {
      const ni2 = networks.get(n.network);
      if (ni2 === undefined) return issue(at("nics", ni, "network"), `unknown network "${n.network}"`);
      const net = s.networks[ni2];
      if (n.ip !== undefined && net.cidr && parseIPv4Cidr(net.cidr) && isIPv4(n.ip)) {
        if (!ipv4InCidr(n.ip, net.cidr)) issue(at("nics", ni, "ip"), `${n.ip} is not in ${net.name} (${net.cidr})`);
        else if (n.ip === net.gateway) issue(at("nics", ni, "ip"), `${n.ip} is the gateway of ${net.name}`);
        else {
          const c = parseIPv4Cidr(net.cidr)!;
          const x = ipv4ToInt(n.ip);
          if (x === c.network || x === c.broadcast) issue(at("nics", ni, "ip"), `${n.ip} is the network or broadcast address of ${net.cidr}`);
        }
      }
    });
  });

  // Static addresses are given once per network.
  const staticIps = new Map<string, string>();
  s.vms.forEach((v, vi) =>
    v.nics.forEach((n, ni) => {
      if (n.ip === undefined) return;
      const k = `${n.network}|${n.ip}`;
      const first = staticIps.get(k);
      if (first) issue(["vms", vi, "nics", ni, "ip"], `${n.ip} on ${n.network} is already given to ${first}`);
      else staticIps.set(k, v.name);
    }),
  );
}

export const ZClusterSpec = ZClusterSpecObject.superRefine(checkClusterSpec);

/** A parsed cluster spec (defaults applied). */
export type TClusterSpec = z.output<typeof ZClusterSpec>;
/** A cluster spec as written (defaults optional), e.g. the demo seed. */
export type TClusterSpecInput = z.input<typeof ZClusterSpec>;
