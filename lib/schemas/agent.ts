// The host agent protocol (DESIGN.md "Host agents, over HTTP"): what an agent sends and what it
// gets back. Shared by the agent service (lib/server/agent), the simulated agent (lib/sim) and,
// later, the HTTP routes under app/api/agent/v1.
import { z } from "zod";

const id = z.string().min(1).max(128);

export const ZAgentGpu = z.strictObject({
  name: z.string().min(1),
  model: z.string().min(1),
  pciAddress: z.string().optional(),
  mode: z.enum(["graphics", "compute"]).optional(),
  vgpuProfile: z.string().nullish(),
  vgpuSlots: z.number().int().nullish(),
});

export const ZAgentNic = z.strictObject({
  name: z.string().min(1),
  linkUp: z.boolean(),
  role: z.enum(["vm", "storage", "management"]).optional(),
  sriovVfs: z.number().int().min(0).optional(),
  bond: z.string().nullish(),
});

/** First message of an agent: who it is and what it has. */
export const ZRegisterRequest = z.strictObject({
  hostName: z.string().min(1).max(64),
  agentVersion: z.string().max(64).optional(),
  /** Inventory as the host sees it (informational; the console's inventory is authoritative). */
  gpus: z.array(ZAgentGpu).optional(),
  nics: z.array(ZAgentNic).optional(),
});
export type TRegisterRequest = z.infer<typeof ZRegisterRequest>;

export const ZRegisterResponse = z.strictObject({
  hostId: id,
  /** Bearer token for every later call. */
  token: z.string(),
  heartbeatS: z.number(),
  isolationTimeoutS: z.number(),
  vmStartS: z.number(),
  /** What the agent does after losing the console for isolationTimeoutS: power its HA VMs off (HA on), or nothing (HA disabled). */
  isolationResponse: z.enum(["power-off", "none"]).default("power-off"),
});
export type TRegisterResponse = z.infer<typeof ZRegisterResponse>;

/** A VM the agent runs (or is booting), with the placement generation it was started with. */
export const ZAgentVm = z.strictObject({
  vmId: id,
  generation: z.number().int().min(0),
  state: z.enum(["running", "starting"]),
});

export const ZHeartbeat = z.strictObject({
  hostId: id,
  seq: z.number().int().min(0),
  vms: z.array(ZAgentVm),
  nics: z.array(z.strictObject({ name: z.string().min(1), linkUp: z.boolean() })).default([]),
  storageController: z.strictObject({ healthy: z.boolean() }).optional(),
});
export type THeartbeat = z.input<typeof ZHeartbeat>;

export const ZHeartbeatResponse = z.strictObject({
  ok: z.literal(true),
  /** Commands are waiting: fetch them now. */
  commandsPending: z.boolean(),
  /** Console time (ms since epoch) — the agent's isolation timer uses its own clock. */
  serverTime: z.number(),
});
export type THeartbeatResponse = z.infer<typeof ZHeartbeatResponse>;

export const ZCommandKind = z.enum(["start-vm", "stop-vm", "migrate-vm"]);

/** A device given to a VM, as the agent needs it to build the domain. */
export const ZCommandDevice = z.strictObject({
  key: z.string(),
  type: z.enum(["gpu", "vgpu", "sriov"]),
  tag: z.string(),
  /** "h2/ens1f0/vf0", "h3/h3-gpu0/slot1", "h1/h1-gpu0". */
  device: z.string(),
});

export const ZStartVmPayload = z.strictObject({
  vmName: z.string(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  haPriority: z.enum(["high", "medium", "low", "off"]),
  devices: z.array(ZCommandDevice),
  ips: z.array(z.string()),
  disks: z.array(z.strictObject({ index: z.number().int(), controller: z.string(), session: z.number().int() })),
  purpose: z.enum(["power-on", "ha", "local-restart", "relocate", "maintenance-exit"]),
  incidentId: z.string().nullish(),
  attempt: z.number().int().min(1),
  avoidHostIds: z.array(z.string()),
  /** A stop on another host that must be acknowledged before this start is released. */
  after: z.string().nullish(),
});
export type TStartVmPayload = z.infer<typeof ZStartVmPayload>;

export const ZStopReason = z.enum(["power-off", "maintenance", "stale", "network-fault", "duplicate"]);
export type TStopReason = z.infer<typeof ZStopReason>;

export const ZStopVmPayload = z.strictObject({
  vmName: z.string(),
  reason: ZStopReason,
  incidentId: z.string().nullish(),
});
export type TStopVmPayload = z.infer<typeof ZStopVmPayload>;

export const ZMigrateVmPayload = z.strictObject({
  vmName: z.string(),
  toHostId: z.string(),
  toHostName: z.string(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  haPriority: z.enum(["high", "medium", "low", "off"]),
  ips: z.array(z.string()),
});
export type TMigrateVmPayload = z.infer<typeof ZMigrateVmPayload>;

export const ZAgentCommand = z.discriminatedUnion("kind", [
  z.strictObject({ id, kind: z.literal("start-vm"), vmId: id, generation: z.number().int(), payload: ZStartVmPayload }),
  z.strictObject({ id, kind: z.literal("stop-vm"), vmId: id, generation: z.number().int(), payload: ZStopVmPayload }),
  z.strictObject({ id, kind: z.literal("migrate-vm"), vmId: id, generation: z.number().int(), payload: ZMigrateVmPayload }),
]);
export type TAgentCommand = z.infer<typeof ZAgentCommand>;

export const ZFetchCommandsResponse = z.strictObject({ commands: z.array(ZAgentCommand) });
export type TFetchCommandsResponse = z.infer<typeof ZFetchCommandsResponse>;

export const ZCommandAck = z.strictObject({
  hostId: id,
  commandId: id,
  status: z.enum(["done", "failed"]),
  error: z.string().max(2000).optional(),
});
export type TCommandAck = z.infer<typeof ZCommandAck>;

export const ZCommandAckResponse = z.strictObject({ ok: z.literal(true), duplicate: z.boolean() });
export type TCommandAckResponse = z.infer<typeof ZCommandAckResponse>;
