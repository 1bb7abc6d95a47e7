// Inputs of the admin inventory actions: hosts, GPUs, NICs, networks, VMs, placement groups.
// Shared by forms (client), server actions, services and routes. Importable by client code.
//
// Every schema accepts both JSON (numbers, booleans, arrays) and what `formDataToObject`
// makes of a form ("8", "true"/"false"/"on", a lone string for a one-item list).
import { z } from "zod";
import { isValidTagName } from "@/lib/engine/tags";
import { ipv4ToInt, isIPv4, isIPv4HostIn, parseIPv4Cidr } from "./ipv4";

// ---------------------------------------------------------------- building blocks

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

/** A whole number from a number or a numeric string, with messages that name the field. */
function int(label: string, min: number, max: number) {
  return z.coerce
    .number({ error: `${label} must be a number` })
    .refine((n) => Number.isFinite(n), `${label} must be a number`)
    .refine((n) => Number.isInteger(n), `${label} must be a whole number`)
    .refine((n) => n >= min, `${label} must be at least ${min}`)
    .refine((n) => n <= max, `${label} must be at most ${max}`);
}

function requiredInt(label: string, min: number, max: number) {
  return z
    .preprocess(blankToUndefined, int(label, min, max).optional())
    .refine((v) => v !== undefined, `Enter ${label}`)
    .transform((v) => v as number);
}

function optionalInt(label: string, min: number, max: number) {
  return z.preprocess(blankToUndefined, int(label, min, max).optional());
}

function text(label: string, max: number) {
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label[0].toUpperCase()}${label.slice(1)} is at most ${max} characters`);
}

function optionalText(label: string, max: number) {
  return z.preprocess(blankToUndefined, text(label, max).optional());
}

/** A checkbox (with a hidden "false" before it, so the last value wins), or a JSON boolean. */
export const zBool = (dflt: boolean) =>
  z.preprocess((v) => {
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last === undefined || last === null || last === "") return dflt;
    if (last === true || last === "true" || last === "on" || last === "1") return true;
    if (last === false || last === "false" || last === "off" || last === "0") return false;
    return last;
  }, z.boolean({ error: "Must be true or false" }));

/** A list of ids: absent → [], a lone string → [it]; duplicates removed. */
export const zIdList = z.preprocess(
  (v) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.string().trim().min(1, "Pick an item")).max(1000).transform((a) => [...new Set(a)]),
);

/** A list of rows from a form or JSON: absent → []. */
function rows<T extends z.ZodType>(item: T, label: string, max: number) {
  return z.preprocess(
    (v) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : typeof v === "object" ? Object.values(v as object) : v),
    z.array(item).max(max, `At most ${max} ${label}`),
  );
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, label: string) {
  return z.enum(values, { error: `${label} must be one of ${values.join(", ")}` });
}

const TAG_RULE = 'A tag is 1–64 characters of letters, digits, ".", "_", "/" and "-"';

/** An admin-set device tag name (SR-IOV tags): 1–64 of [A-Za-z0-9._/-]. */
export const zTagName = z
  .string({ error: "Enter a tag" })
  .trim()
  .min(1, "Enter a tag")
  .refine((s) => isValidTagName(s), TAG_RULE);

/** DNS-label-like: letters, digits and "-", 1–63, not starting or ending with "-". */
const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** Host names may be dotted (FQDNs): labels as above, up to 253 characters. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const NIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
const OBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const GPU_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;
const PROFILE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,31}$/;

const zVmName = z
  .string({ error: "Enter a name" })
  .trim()
  .min(1, "Enter a name")
  .regex(DNS_LABEL, 'A VM name is 1–63 letters, digits and "-", not starting or ending with "-"');
const zHostName = z
  .string({ error: "Enter a name" })
  .trim()
  .min(1, "Enter a name")
  .regex(HOST_NAME, 'A host name is letters, digits, "-" and ".", like h1 or gpu-01.dc1');
const zObjectName = z
  .string({ error: "Enter a name" })
  .trim()
  .min(1, "Enter a name")
  .regex(OBJECT_NAME, 'A name is 1–64 letters, digits, spaces, ".", "_" and "-"');

const zId = (label: string) => z.string({ error: `Pick ${label}` }).trim().min(1, `Pick ${label}`);
const zOptionalId = z.preprocess(blankToUndefined, z.string().trim().min(1).optional());

const zIpv4 = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .refine(isIPv4, `${label[0].toUpperCase()}${label.slice(1)} must be an IPv4 address like 10.0.0.1`);

/** Memory as MiB or GiB; exactly one. The output always carries memoryMiB. */
const MAX_MIB = 16 * 1024 * 1024; // 16 TiB
const memoryFields = {
  memoryMiB: optionalInt("Memory (MiB)", 256, MAX_MIB),
  memoryGiB: optionalInt("Memory (GiB)", 1, MAX_MIB / 1024),
};
function checkMemory(v: { memoryMiB?: number; memoryGiB?: number }, ctx: z.RefinementCtx) {
  if (v.memoryMiB === undefined && v.memoryGiB === undefined)
    ctx.addIssue({ code: "custom", path: ["memoryMiB"], message: "Enter the memory" });
  else if (v.memoryMiB !== undefined && v.memoryGiB !== undefined && v.memoryMiB !== v.memoryGiB * 1024)
    ctx.addIssue({ code: "custom", path: ["memoryMiB"], message: "Give memory in MiB or in GiB, not both" });
}
function toMiB<T extends { memoryMiB?: number; memoryGiB?: number }>(v: T): Omit<T, "memoryGiB" | "memoryMiB"> & { memoryMiB: number } {
  const { memoryGiB, memoryMiB, ...rest } = v;
  return { ...rest, memoryMiB: memoryMiB ?? (memoryGiB ?? 0) * 1024 };
}

// ---------------------------------------------------------------- hosts

export const ZHostFields = z.object({
  name: zHostName,
  address: optionalText("the agent address", 255),
  cpus: requiredInt("CPUs", 1, 4096),
  ...memoryFields,
  zoneId: zOptionalId,
  storageControllerPresent: zBool(true),
});

export const ZCreateHostInput = ZHostFields.superRefine(checkMemory).transform(toMiB);
export const ZUpdateHostInput = ZHostFields.extend({ id: zId("a host") }).superRefine(checkMemory).transform(toMiB);
export type TCreateHostInput = z.output<typeof ZCreateHostInput>;
export type TUpdateHostInput = z.output<typeof ZUpdateHostInput>;

export const ZDeleteInput = z.object({ id: zId("an item") });
export type TDeleteInput = z.output<typeof ZDeleteInput>;

// ---------------------------------------------------------------- GPUs

export const GPU_MODES = ["graphics", "compute"] as const;

const ZGpuFields = z.object({
  hostId: zId("a host"),
  /** Unique per host; generated ("<host>-gpu<N>") when not given. */
  name: z.preprocess(blankToUndefined, z.string().trim().regex(GPU_NAME, 'A GPU name is letters, digits, ".", "_" and "-"').optional()),
  vendor: z.preprocess(blankToUndefined, text("the vendor", 64).optional()).transform((v) => v ?? "NVIDIA"),
  model: text("the model", 64).refine((s) => !s.includes("/"), 'A GPU model cannot contain "/"'),
  pciAddress: z
    .string({ error: "Enter the PCI address" })
    .trim()
    .toLowerCase()
    .regex(PCI, "A PCI address looks like 0000:3b:00.0"),
  mode: z.preprocess((v) => (v === undefined || v === "" ? "graphics" : v), oneOf(GPU_MODES, "Mode")),
  vgpuProfile: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(PROFILE, 'A vGPU profile is 1–32 letters, digits, ".", "_", "+" and "-", like M60-2Q').optional(),
  ),
  vgpuSlots: optionalInt("vGPU slots", 1, 64),
});

function checkVgpu(v: { vgpuProfile?: string; vgpuSlots?: number }, ctx: z.RefinementCtx) {
  if (v.vgpuProfile !== undefined && v.vgpuSlots === undefined)
    ctx.addIssue({ code: "custom", path: ["vgpuSlots"], message: "A partitioned GPU needs its number of vGPU slots (1–64)" });
  if (v.vgpuProfile === undefined && v.vgpuSlots !== undefined)
    ctx.addIssue({ code: "custom", path: ["vgpuProfile"], message: "vGPU slots need a vGPU profile" });
}

export const ZCreateGpuInput = ZGpuFields.superRefine(checkVgpu);
export const ZUpdateGpuInput = ZGpuFields.omit({ hostId: true }).extend({ id: zId("a GPU") }).superRefine(checkVgpu);
export type TCreateGpuInput = z.output<typeof ZCreateGpuInput>;
export type TUpdateGpuInput = z.output<typeof ZUpdateGpuInput>;

// ---------------------------------------------------------------- NICs

export const NIC_ROLES = ["vm", "storage", "management"] as const;

const ZNicFields = z.object({
  hostId: zId("a host"),
  name: z
    .string({ error: "Enter the interface name" })
    .trim()
    .min(1, "Enter the interface name")
    .regex(NIC_NAME, 'An interface name is 1–15 letters, digits, ".", "_" and "-", like ens1f0'),
  role: z.preprocess((v) => (v === undefined || v === "" ? "vm" : v), oneOf(NIC_ROLES, "Role")),
  sriovVfs: z.preprocess((v) => (v === undefined || v === "" || v === null ? 0 : v), int("SR-IOV VFs", 0, 256)),
  tag: z.preprocess(blankToUndefined, zTagName.optional()),
  bond: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(NIC_NAME, 'A bond name is 1–15 letters, digits, ".", "_" and "-", like stor0').optional(),
  ),
  speedGbps: optionalInt("Speed (Gbit/s)", 1, 1600),
});

export const ZCreateNicInput = ZNicFields;
export const ZUpdateNicInput = ZNicFields.omit({ hostId: true }).extend({ id: zId("a NIC") });
export const ZSetNicTagInput = z.object({ nicId: zId("a NIC"), tag: zTagName });
export const ZClearNicTagInput = z.object({ nicId: zId("a NIC") });
export type TCreateNicInput = z.output<typeof ZCreateNicInput>;
export type TUpdateNicInput = z.output<typeof ZUpdateNicInput>;
export type TSetNicTagInput = z.output<typeof ZSetNicTagInput>;
export type TClearNicTagInput = z.output<typeof ZClearNicTagInput>;

// ---------------------------------------------------------------- networks

const zDnsList = z.preprocess(
  (v) =>
    v === undefined || v === null || v === ""
      ? []
      : Array.isArray(v)
        ? v.flatMap((x) => String(x).split(/[\s,]+/))
        : String(v).split(/[\s,]+/),
  z.array(z.string()).transform((a) => a.map((s) => s.trim()).filter(Boolean)),
);

const ZNetworkFields = z.object({
  name: zObjectName,
  vlan: optionalInt("VLAN", 1, 4094),
  managed: zBool(false),
  cidr: z.preprocess(blankToUndefined, z.string().trim().optional()),
  gateway: z.preprocess(blankToUndefined, z.string().trim().optional()),
  dns: zDnsList,
  poolStart: z.preprocess(blankToUndefined, z.string().trim().optional()),
  poolEnd: z.preprocess(blankToUndefined, z.string().trim().optional()),
});

type NetworkFields = z.output<typeof ZNetworkFields>;

function checkNetwork(n: NetworkFields, ctx: z.RefinementCtx) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (!n.managed) {
    for (const f of ["cidr", "gateway", "poolStart", "poolEnd"] as const)
      if (n[f] !== undefined) issue(f, "An unmanaged network leaves addressing to an outside DHCP server; leave this empty");
    if (n.dns.length) issue("dns", "An unmanaged network leaves addressing to an outside DHCP server; leave this empty");
    return;
  }
  if (n.cidr === undefined) issue("cidr", "A managed network needs a CIDR, like 10.20.0.0/24");
  if (n.gateway === undefined) issue("gateway", "A managed network needs a gateway");
  if (n.dns.length === 0) issue("dns", "A managed network needs at least one DNS server");
  if (n.poolStart === undefined) issue("poolStart", "A managed network needs the first address of its pool");
  if (n.poolEnd === undefined) issue("poolEnd", "A managed network needs the last address of its pool");
  n.dns.forEach((d) => {
    if (!isIPv4(d)) issue("dns", `DNS server "${d}" is not an IPv4 address`);
  });
  if (n.cidr === undefined) return;
  const c = parseIPv4Cidr(n.cidr);
  if (!c) return issue("cidr", "A CIDR looks like 10.20.0.0/24");
  if (!c.aligned) return issue("cidr", `${n.cidr} is not a network address; did you mean the block it lies in?`);
  if (c.prefix < 8 || c.prefix > 30) return issue("cidr", "The prefix must be between /8 and /30");
  const inside = (field: "gateway" | "poolStart" | "poolEnd", label: string) => {
    const ip = n[field];
    if (ip === undefined) return false;
    if (!isIPv4(ip)) return issue(field, `${label} must be an IPv4 address`), false;
    if (!isIPv4HostIn(ip, n.cidr!)) return issue(field, `${ip} is not a usable address of ${n.cidr}`), false;
    return true;
  };
  const gw = inside("gateway", "The gateway");
  const a = inside("poolStart", "The pool start");
  const b = inside("poolEnd", "The pool end");
  if (a && b && ipv4ToInt(n.poolStart!) > ipv4ToInt(n.poolEnd!)) issue("poolEnd", "The pool ends before it starts");
  else if (a && b && gw) {
    const g = ipv4ToInt(n.gateway!);
    if (g >= ipv4ToInt(n.poolStart!) && g <= ipv4ToInt(n.poolEnd!)) issue("gateway", "The gateway lies inside the pool; move it out");
  }
}

export const ZCreateNetworkInput = ZNetworkFields.superRefine(checkNetwork);
export const ZUpdateNetworkInput = ZNetworkFields.extend({ id: zId("a network") }).superRefine(checkNetwork);
export type TCreateNetworkInput = z.output<typeof ZCreateNetworkInput>;
export type TUpdateNetworkInput = z.output<typeof ZUpdateNetworkInput>;

// ---------------------------------------------------------------- VMs

export const DEVICE_TYPES = ["gpu", "vgpu", "sriov"] as const;
export const HA_PRIORITIES = ["high", "medium", "low", "off"] as const;
export const DISK_BUSES = ["virtio-scsi", "ide", "sata"] as const;

export const ZDeviceRequestInput = z
  .object({
    type: oneOf(DEVICE_TYPES, "Device type"),
    tag: z.string({ error: "Enter a tag" }).trim().min(1, "Enter a tag").max(160, "A tag is at most 160 characters"),
    count: z.preprocess((v) => (v === undefined || v === "" ? 1 : v), int("Count", 1, 16)),
    gpuId: zOptionalId,
  })
  .superRefine((d, ctx) => {
    if (d.type === "sriov" && !isValidTagName(d.tag)) ctx.addIssue({ code: "custom", path: ["tag"], message: TAG_RULE });
    if (d.gpuId !== undefined) {
      if (d.type !== "gpu") ctx.addIssue({ code: "custom", path: ["gpuId"], message: "Only a passthrough GPU request may name a GPU" });
      else if (d.count !== 1) ctx.addIssue({ code: "custom", path: ["count"], message: "A request naming a GPU has count 1" });
    }
  });

export const ZVmNicInput = z.object({
  networkId: zId("a network"),
  staticIp: z.preprocess(blankToUndefined, zIpv4("the static IP").optional()),
});

export const ZDiskInput = z.object({
  sizeGiB: requiredInt("Disk size (GiB)", 1, 65536),
  bus: z.preprocess((v) => (v === undefined || v === "" ? "virtio-scsi" : v), oneOf(DISK_BUSES, "Bus")),
});

const ZVmFields = z.object({
  name: zVmName,
  vcpus: requiredInt("vCPUs", 1, 512),
  ...memoryFields,
  haPriority: z.preprocess((v) => (v === undefined || v === "" ? "medium" : v), oneOf(HA_PRIORITIES, "HA priority")),
  /** The isolation response leaves it running (on a silent host it is `unknown` until the host reports or is confirmed off). */
  keepRunningWhenIsolated: zBool(false),
  /** Restart policy of this VM; blank: the cluster's default. */
  restartMaxRestarts: optionalInt("Restarts on the same host", 0, 10).transform((v) => v ?? null),
  restartMaxRelocations: optionalInt("Relocations", 0, 100).transform((v) => v ?? null),
  hostAffinity: zIdList,
  deviceRequests: rows(ZDeviceRequestInput, "device requests", 16),
  nics: rows(ZVmNicInput, "NICs", 16),
  disks: rows(ZDiskInput, "disks", 32),
});

type VmFields = z.output<typeof ZVmFields>;

function checkVm(v: VmFields, ctx: z.RefinementCtx) {
  checkMemory(v, ctx);
  const seen = new Map<string, number>();
  v.nics.forEach((n, i) => {
    if (!n.staticIp) return;
    const k = `${n.networkId}|${n.staticIp}`;
    if (seen.has(k)) ctx.addIssue({ code: "custom", path: ["nics", i, "staticIp"], message: `${n.staticIp} is already given to NIC ${seen.get(k)! + 1}` });
    else seen.set(k, i);
  });
  const named = new Map<string, number>();
  v.deviceRequests.forEach((d, i) => {
    if (!d.gpuId) return;
    if (named.has(d.gpuId)) ctx.addIssue({ code: "custom", path: ["deviceRequests", i, "gpuId"], message: `This GPU is already named by request ${named.get(d.gpuId)! + 1}` });
    else named.set(d.gpuId, i);
  });
}

export const ZCreateVmInput = ZVmFields.superRefine(checkVm).transform(toMiB);
export const ZUpdateVmInput = ZVmFields.extend({ id: zId("a VM") }).superRefine(checkVm).transform(toMiB);
export type TDeviceRequestInput = z.output<typeof ZDeviceRequestInput>;
export type TVmNicInput = z.output<typeof ZVmNicInput>;
export type TDiskInput = z.output<typeof ZDiskInput>;
export type TCreateVmInput = z.output<typeof ZCreateVmInput>;
export type TUpdateVmInput = z.output<typeof ZUpdateVmInput>;

// ---------------------------------------------------------------- placement groups

export const PLACEMENT_GROUP_TYPES = ["vm-host", "vm-vm-affinity", "vm-vm-anti-affinity", "zone"] as const;
export const ENFORCEMENTS = ["must", "should"] as const;
export const FAILBACK_CHOICES = ["inherit", "on", "off"] as const;

const ZPlacementGroupFields = z.object({
  name: zObjectName,
  type: oneOf(PLACEMENT_GROUP_TYPES, "Type"),
  enforcement: z.preprocess((v) => (v === undefined || v === "" ? "must" : v), oneOf(ENFORCEMENTS, "Enforcement")),
  vmIds: zIdList,
  hostIds: zIdList,
  /** VM-host groups: the group's hosts ranked, most preferred first (placement and failback); [] = unranked. */
  hostOrder: zIdList,
  /** VM-host groups: failback for the group's VMs — inherit the cluster's setting, or on/off. */
  failback: z
    .preprocess((v) => (v === undefined || v === "" || v === null ? "inherit" : v === true ? "on" : v === false ? "off" : v), oneOf(FAILBACK_CHOICES, "Failback"))
    .transform((v) => (v === "inherit" ? null : v === "on")),
  zoneId: zOptionalId,
});

type PlacementGroupFields = z.output<typeof ZPlacementGroupFields>;

function checkPlacementGroup(g: PlacementGroupFields, ctx: z.RefinementCtx) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (g.vmIds.length === 0) issue("vmIds", "Pick at least one VM");
  if ((g.type === "vm-vm-affinity" || g.type === "vm-vm-anti-affinity") && g.vmIds.length === 1)
    issue("vmIds", "A VM-VM group needs at least two VMs");
  if (g.type === "vm-host") {
    if (g.hostIds.length === 0) issue("hostIds", "A VM-host group needs at least one host");
  } else if (g.hostIds.length > 0) issue("hostIds", `Hosts are only for VM-host groups, not ${g.type}`);
  if (g.type === "vm-host") {
    g.hostOrder.forEach((h, i) => {
      if (!g.hostIds.includes(h)) ctx.addIssue({ code: "custom", path: ["hostOrder", i], message: "A ranked host must be one of the group's hosts" });
    });
  } else {
    if (g.hostOrder.length > 0) issue("hostOrder", `A host order is only for VM-host groups, not ${g.type}`);
    if (g.failback !== null) issue("failback", `Failback is only for VM-host groups, not ${g.type}`);
  }
  if (g.type === "zone") {
    if (g.zoneId === undefined) issue("zoneId", "A zone group needs a zone");
  } else if (g.zoneId !== undefined) issue("zoneId", `A zone is only for zone groups, not ${g.type}`);
}

export const ZCreatePlacementGroupInput = ZPlacementGroupFields.superRefine(checkPlacementGroup);
export const ZUpdatePlacementGroupInput = ZPlacementGroupFields.extend({ id: zId("a placement group") }).superRefine(checkPlacementGroup);
export type TCreatePlacementGroupInput = z.output<typeof ZCreatePlacementGroupInput>;
export type TUpdatePlacementGroupInput = z.output<typeof ZUpdatePlacementGroupInput>;
