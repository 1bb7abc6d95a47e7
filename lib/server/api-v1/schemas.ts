// The automation API (/api/v1) as zod schemas: the query parameters and bodies each route
// accepts, and the shapes it answers. The routes parse their input AND their output with these
// (an answer carries exactly the documented fields), and lib/server/api-v1/openapi.ts turns the
// same schemas into the OpenAPI 3.1 document served at /api/v1/openapi.json.
import { z } from "zod";

/** The named answer schemas: the OpenAPI document's components (by name). */
export const apiSchemas = z.registry<{ id: string }>();
function named<S extends z.ZodType>(schema: S, id: string): S {
  apiSchemas.add(schema, { id });
  return schema;
}

const time = z.iso.datetime({ offset: true }).describe("ISO 8601 time (UTC)");
const ref = z.object({ id: z.string(), name: z.string() });

export const HOST_STATES = ["online", "unreachable", "failed", "maintenance", "isolated"] as const;
export const VM_POWERS = ["running", "stopped", "pending", "starting", "stopping", "migrating", "error", "unknown"] as const;
export const HA_PRIORITIES = ["high", "medium", "low", "off"] as const;
export const DEVICE_TYPES = ["gpu", "vgpu", "sriov"] as const;
export const PAGE_SIZES = [25, 50, 100, 200] as const;

// ------------------------------------------------------------------ query parameters

const sizeParam = z
  .enum(["25", "50", "100", "200"], { error: `size must be one of ${PAGE_SIZES.join(", ")}` })
  .default("50")
  .describe("Rows per page")
  .transform(Number);
const paging = {
  page: z.coerce.number({ error: "page must be a number" }).int("page must be a whole number").min(1, "page starts at 1").max(1_000_000).default(1).describe("1-based page"),
  size: sizeParam,
  format: z.enum(["json", "csv"], { error: "format must be json or csv" }).default("json").describe("`csv`: every matching row (all pages, up to 100,000) as text/csv"),
};
const text = (what: string) => z.string().trim().min(1).max(200, `${what} is at most 200 characters`);
const dir = z.enum(["asc", "desc"], { error: "dir must be asc or desc" }).default("asc");

export const ZHostListParams = z.strictObject({
  state: z.enum(HOST_STATES, { error: `state must be one of ${HOST_STATES.join(", ")}` }).optional(),
  zone: text("zone").optional().describe("Zone name"),
  q: text("q").optional().describe("Part of the host name"),
  sort: z.enum(["name", "state", "zone", "cpus", "memory", "vms"], { error: "sort must be one of name, state, zone, cpus, memory, vms" }).default("name"),
  dir,
  ...paging,
});

export const ZVmListParams = z.strictObject({
  host: text("host").optional().describe('Host name, or "none" for VMs without a host'),
  power: z.enum(VM_POWERS, { error: `power must be one of ${VM_POWERS.join(", ")}` }).optional(),
  priority: z.enum(HA_PRIORITIES, { error: `priority must be one of ${HA_PRIORITIES.join(", ")}` }).optional(),
  devices: z.enum(["yes", "no"], { error: "devices must be yes or no" }).optional().describe("With device requests (yes) or without (no)"),
  tag: z
    .string()
    .regex(/^(gpu|vgpu|sriov):.+$/, "tag must be <type>:<tag>, type gpu, vgpu or sriov")
    .max(200)
    .optional()
    .describe("A requested device tag as <type>:<tag>, e.g. `vgpu:NVIDIA Tesla M60/M60-2Q`"),
  q: text("q").optional().describe("Part of the VM name"),
  sort: z.enum(["name", "vcpus", "memory", "host", "priority", "power"], { error: "sort must be one of name, vcpus, memory, host, priority, power" }).default("name"),
  dir,
  ...paging,
});

export const ZGpuListParams = z.strictObject({
  model: text("model").optional(),
  mode: z.enum(["graphics", "compute"], { error: "mode must be graphics or compute" }).optional(),
  kind: z.enum(["passthrough", "vgpu"], { error: "kind must be passthrough or vgpu" }).optional(),
  host: text("host").optional().describe("Host name"),
  q: text("q").optional().describe("Part of the GPU name, model or PCI address"),
  sort: z.enum(["host", "model", "name", "mode"], { error: "sort must be one of host, model, name, mode" }).default("host"),
  dir,
  ...paging,
});

export const ZTagListParams = z.strictObject({
  type: z.enum(DEVICE_TYPES, { error: "type must be gpu, vgpu or sriov" }).optional(),
  q: text("q").optional().describe("Part of the tag"),
  format: paging.format,
});

export const ALERT_STATUS_FILTERS = ["active", "open", "acknowledged", "resolved", "all"] as const;
export const ZAlertListParams = z.strictObject({
  status: z.enum(ALERT_STATUS_FILTERS, { error: `status must be one of ${ALERT_STATUS_FILTERS.join(", ")}` }).default("active").describe("active = open or acknowledged"),
  severity: z.enum(["critical", "warning", "info"], { error: "severity must be critical, warning or info" }).optional(),
  kind: text("kind").optional().describe("Alert kind, e.g. HOST_FAILED"),
  host: text("host").optional().describe("Host id"),
  vm: text("vm").optional().describe("VM id, or part of its name"),
  incident: text("incident").optional().describe("Incident id"),
  q: text("q").optional().describe("Part of the message"),
  ...paging,
});

export const ZIncidentListParams = z.strictObject({
  status: z.enum(["open", "closed"], { error: "status must be open or closed" }).optional(),
  kind: z.enum(["host-failure", "network-fault", "vm-crash", "isolation"], { error: "kind must be host-failure, network-fault, vm-crash or isolation" }).optional(),
  host: text("host").optional().describe("Host id"),
  ...paging,
});

// ------------------------------------------------------------------ bodies

export const ZAcknowledgeBody = z.strictObject({ note: z.string().trim().max(500, "note is at most 500 characters").optional().describe("Why, for the next person on call") });
export const ZEnterMaintenanceBody = z.strictObject({
  rebuildDeviceVms: z.boolean({ error: "rebuildDeviceVms must be true or false" }).optional().describe("Rebuild device VMs on other hosts where their device tags allow (else they are powered off)"),
});

// ------------------------------------------------------------------ answers

const pageOf = <T extends z.ZodType>(row: T, name: string) =>
  named(z
    .object({
      rows: z.array(row),
      total: z.number().int().describe("Matching rows in all pages"),
      page: z.number().int(),
      pageSize: z.number().int(),
      pageCount: z.number().int(),
    })
    .describe(`One page of ${name.replace(/Page$/, "")} rows`), name);

export const ZHost = named(z
  .object({
    id: z.string(),
    name: z.string(),
    address: z.string().nullable(),
    state: z.string().describe(`One of ${HOST_STATES.join(", ")}`),
    stateSince: time,
    lastHeartbeatAt: time.nullable(),
    simulated: z.boolean().describe("Driven by the demo's simulated agent"),
    zone: z.string().nullable(),
    cpus: z.number().int(),
    memoryMiB: z.number().int(),
    vcpusAllocated: z.number().int(),
    memoryMiBAllocated: z.number().int(),
    vmCount: z.number().int(),
    gpuCount: z.number().int(),
    deviceUnits: z.number().int().describe("GPUs + vGPU slots + SR-IOV VFs"),
    deviceUnitsUsed: z.number().int(),
    storageControllerPresent: z.boolean(),
    storageControllerHealthy: z.boolean(),
    storageNics: z.number().int(),
    storageNicsDown: z.number().int(),
  }), "Host");
export const ZHostPage = pageOf(ZHost, "HostPage");

const gpuUnit = {
  id: z.string(),
  name: z.string(),
  vendor: z.string(),
  model: z.string(),
  pciAddress: z.string(),
  mode: z.string().describe("graphics or compute"),
  kind: z.enum(["passthrough", "vgpu"]),
  vgpuProfile: z.string().nullable(),
  slots: z.number().int().describe("1 for a passthrough GPU, the vGPU slot count otherwise"),
  used: z.number().int(),
  free: z.number().int(),
  tag: z.string().describe("Derived device tag"),
  tagType: z.enum(["gpu", "vgpu"]),
  vms: z.array(z.object({ id: z.string(), name: z.string(), slot: z.number().int().nullable() })),
};

export const ZHostDetail = named(ZHost.omit({ zone: true, vmCount: true, gpuCount: true, deviceUnits: true, deviceUnitsUsed: true, storageNics: true, storageNicsDown: true })
  .extend({
    zone: z.object({ name: z.string(), role: z.string() }).nullable(),
    vmCount: z.number().int(),
    gpus: z.array(z.object(gpuUnit)),
    nics: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        role: z.string(),
        bond: z.string().nullable(),
        linkUp: z.boolean(),
        speedGbps: z.number(),
        tag: z.string().nullable(),
        vfsTotal: z.number().int(),
        vfsUsed: z.number().int(),
      }),
    ),
    pools: z.array(z.object({ type: z.enum(DEVICE_TYPES), tag: z.string(), total: z.number().int(), used: z.number().int() })),
    vms: z.array(
      z.object({ id: z.string(), name: z.string(), power: z.string(), powerSince: time, vcpus: z.number().int(), memoryMiB: z.number().int(), haPriority: z.string(), devices: z.number().int() }),
    ),
    openAlerts: z.array(z.object({ id: z.string(), kind: z.string(), severity: z.string(), message: z.string(), raisedAt: time })),
    createdAt: time,
    updatedAt: time,
  }), "HostDetail");

const vmCore = {
  id: z.string(),
  name: z.string(),
  power: z.string().describe(`One of ${VM_POWERS.join(", ")}`),
  powerSince: time,
  desiredPower: z.string(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  haPriority: z.string().describe(`One of ${HA_PRIORITIES.join(", ")}`),
  generation: z.number().int().describe("Placement generation"),
};

export const ZVm = named(z
  .object({
    ...vmCore,
    host: z.object({ id: z.string(), name: z.string(), state: z.string() }).nullable(),
    devices: z.array(z.object({ type: z.string(), tag: z.string(), count: z.number().int() })).describe("Device requests"),
    ips: z.array(z.string()).describe("Up to 4 leased addresses"),
  }), "Vm");
export const ZVmPage = pageOf(ZVm, "VmPage");

export const ZVmDetail = named(z
  .object({
    ...vmCore,
    keepRunningWhenIsolated: z.boolean(),
    host: z.object({ id: z.string(), name: z.string(), state: z.string(), zone: z.string().nullable() }).nullable(),
    deviceRequests: z.array(z.object({ index: z.number().int(), type: z.string(), tag: z.string(), count: z.number().int(), allocated: z.number().int() })),
    allocations: z.array(z.object({ type: z.string(), tag: z.string(), deviceKey: z.string(), host: ref, slot: z.number().int().nullable(), vf: z.number().int().nullable() })),
    nics: z.array(
      z.object({
        index: z.number().int(),
        mac: z.string().nullable(),
        network: z.object({ id: z.string(), name: z.string() }),
        lease: z.object({ address: z.string(), static: z.boolean() }).nullable(),
      }),
    ),
    disks: z.array(z.object({ index: z.number().int(), sizeGiB: z.number(), bus: z.string() })),
    lastPlacementReasons: z.array(z.string()).nullable(),
    recentEvents: z.array(z.object({ id: z.string(), at: time, kind: z.string(), message: z.string() })),
    openAlerts: z.array(z.object({ id: z.string(), kind: z.string(), severity: z.string(), message: z.string(), raisedAt: time })),
    createdAt: time,
    updatedAt: time,
  }), "VmDetail");

export const ZGpu = named(z.object({ ...gpuUnit, host: z.object({ id: z.string(), name: z.string(), state: z.string() }) }), "Gpu");
export const ZGpuPage = pageOf(ZGpu, "GpuPage");

export const ZTag = named(z
  .object({
    type: z.enum(DEVICE_TYPES),
    name: z.string(),
    origin: z.enum(["user", "auto"]).describe("user: set by an admin (SR-IOV); auto: derived from GPU model and vGPU profile"),
    description: z.string().nullable(),
    declared: z.boolean(),
    devices: z.number().int(),
    units: z.number().int(),
    used: z.number().int(),
    free: z.number().int(),
    freeOnline: z.number().int().describe("Free units on online hosts"),
    hosts: z.array(z.object({ id: z.string(), name: z.string(), state: z.string() })),
    requestingVms: z.number().int(),
    requestedUnits: z.number().int().describe("Requested units without an allocation"),
  }), "Tag");
export const ZTagList = named(z.object({ rows: z.array(ZTag), total: z.number().int() }), "TagList");

const alertCore = {
  id: z.string(),
  kind: z.string(),
  severity: z.string().describe("critical, warning or info"),
  status: z.string().describe("open, acknowledged or resolved"),
  entityType: z.string(),
  entityId: z.string(),
  entityName: z.string(),
  hostId: z.string().nullable(),
  vmId: z.string().nullable(),
  count: z.number().int().describe("Times raised in this episode"),
  raisedAt: time,
  lastSeenAt: time,
  ackAt: time.nullable(),
  ackBy: z.string().nullable(),
  ackNote: z.string().nullable(),
  resolvedAt: time.nullable(),
  resolvedBy: z.string().nullable(),
};

export const ZAlert = named(z
  .object({
    ...alertCore,
    hostName: z.string().nullable(),
    incident: z.object({ id: z.string(), seq: z.number().int() }).nullable(),
    message: z.string().describe("Clipped to 400 characters (see messageClipped)"),
    messageClipped: z.boolean(),
  }), "Alert");
export const ZAlertPage = pageOf(ZAlert, "AlertPage");

export const ZAlertDetail = named(z
  .object({
    ...alertCore,
    message: z.string(),
    incident: z.object({ id: z.string(), seq: z.number().int(), kind: z.string(), status: z.string() }).nullable(),
    episodes: z.array(z.object({ id: z.string(), status: z.string(), raisedAt: time, resolvedAt: time.nullable(), resolvedBy: z.string().nullable(), count: z.number().int() })),
  }), "AlertDetail");

export const ZIncident = named(z
  .object({
    id: z.string(),
    seq: z.number().int(),
    kind: z.string(),
    status: z.string(),
    host: ref.nullable(),
    openedAt: time,
    detectedAt: time.nullable(),
    failedAt: time.nullable(),
    closedAt: time.nullable(),
    summary: z.string().nullable(),
    events: z.number().int(),
    alerts: z.number().int(),
    vms: z.number().int(),
    vmsRecovered: z.number().int(),
    recoveryS: z.number().nullable().describe("Seconds from the start to the last VM running"),
  }), "Incident");
export const ZIncidentPage = pageOf(ZIncident, "IncidentPage");

export const ZIncidentDetail = named(z
  .object({
    id: z.string(),
    seq: z.number().int(),
    kind: z.string(),
    status: z.string(),
    summary: z.string().nullable(),
    host: z.object({ id: z.string(), name: z.string(), state: z.string() }).nullable(),
    openedAt: time,
    detectedAt: time.nullable(),
    failedAt: time.nullable(),
    closedAt: time.nullable(),
    recovery: z.object({
      total: z.number().int(),
      recovered: z.number().int(),
      notRecovered: z.number().int(),
      inProgress: z.number().int(),
      lastRecoveryS: z.number().nullable(),
      medianRecoveryS: z.number().nullable(),
      detectionS: z.number().nullable(),
      failedS: z.number().nullable(),
      durationS: z.number(),
    }),
    vmIds: z.array(z.string()),
    alerts: z.array(
      z.object({ id: z.string(), kind: z.string(), severity: z.string(), status: z.string(), entityType: z.string(), entityName: z.string(), message: z.string(), raisedAt: time, resolvedBy: z.string().nullable() }),
    ),
    events: z.number().int(),
  }), "IncidentDetail");

export const ZPowerOnResult = named(z
  .object({
    vmId: z.string(),
    hostId: z.string(),
    hostName: z.string(),
    reasons: z.array(z.string()).describe("Why the engine chose this host"),
  }), "PowerOnResult");
export const ZPowerOffResult = named(z.object({ vmId: z.string(), power: z.string() }), "PowerOffResult");
export const ZEnterMaintenanceResult = named(z
  .object({
    hostId: z.string(),
    migrations: z.array(z.object({ vm: z.string(), to: z.string() })).describe("VMs live-migrated away"),
    powerOffs: z.array(z.object({ vm: z.string(), reason: z.string() })).describe("Device VMs powered off (restarted here on exit)"),
    rebuilds: z.array(z.object({ vm: z.string(), to: z.string() })).describe("Device VMs rebuilt on other hosts"),
  }), "EnterMaintenanceResult");
export const ZExitMaintenanceResult = named(z
  .object({ hostId: z.string(), restarted: z.array(z.string()), waiting: z.array(z.string()) }), "ExitMaintenanceResult");
export const ZAlertChange = named(z
  .object({ id: z.string(), status: z.string(), ackBy: z.string().nullable(), ackNote: z.string().nullable(), resolvedBy: z.string().nullable() }), "AlertChange");

export const ZProblem = named(z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.record(z.string(), z.array(z.string())).optional().describe('Field (query parameter or body field) → messages'),
  }), "Problem");
