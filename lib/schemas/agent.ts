// The host agent protocol (DESIGN.md "Host agents, over HTTP"): what an agent sends and what it
// gets back. Shared by the agent service (lib/server/agent), the simulated agent (lib/sim) and,
// later, the HTTP routes under app/api/agent/v1.
//
// Every list and string an agent sends is bounded (one token must not be able to make the console
// hold or write without limit); the console's own answers carry the inventory's bounds.
import { z } from "zod";

const id = z.string().min(1).max(128);

/** Most VMs one heartbeat may list (running or starting on the host). */
export const MAX_AGENT_VMS = 512;
/** Most NICs and most GPUs a host may report. */
export const MAX_AGENT_NICS = 64;
export const MAX_AGENT_GPUS = 64;
/** Most command ids a heartbeat may echo in `commandsSeen`. */
export const MAX_COMMANDS_SEEN = 512;

const name = z.string().min(1).max(64);
/**
 * A device's stable identity as the agent discovers it (lib/agent/identity.ts): "dsn:<serial>",
 * "mac:<permanent MAC>" or "pci:<vendor>:<device>:<subvendor>:<subdevice>@<address>". It survives
 * a reboot and a PCI renumbering; a different card in the same slot has another one.
 */
const identity = z.string().min(1).max(200);

export const ZAgentGpu = z.strictObject({
  name,
  model: z.string().min(1).max(128),
  pciAddress: z.string().max(32).optional(),
  mode: z.enum(["graphics", "compute"]).optional(),
  vgpuProfile: z.string().max(64).nullish(),
  vgpuSlots: z.number().int().min(0).max(64).nullish(),
  identity: identity.optional(),
  vendor: z.string().max(128).nullish(),
});

export const ZAgentNic = z.strictObject({
  name,
  linkUp: z.boolean(),
  role: z.enum(["vm", "storage", "management"]).optional(),
  sriovVfs: z.number().int().min(0).max(256).optional(),
  bond: z.string().max(64).nullish(),
  identity: identity.optional(),
  pciAddress: z.string().max(32).nullish(),
  model: z.string().max(128).nullish(),
  speedMbps: z.number().int().min(0).max(10_000_000).nullish(),
});

/** First message of an agent: who it is and what it has. */
export const ZRegisterRequest = z.strictObject({
  hostName: z.string().min(1).max(64),
  agentVersion: z.string().max(64).optional(),
  /** Inventory as the host sees it (informational; the console's inventory is authoritative). */
  gpus: z.array(ZAgentGpu).max(MAX_AGENT_GPUS).optional(),
  nics: z.array(ZAgentNic).max(MAX_AGENT_NICS).optional(),
  /**
   * `gpus` and `nics` are the host's whole discovered inventory, every device with its identity:
   * the console reconciles its inventory with them (lib/server/agent/reconcile.ts). Absent (the
   * simulated fleet, older agents): the lists are informational and nothing is reconciled.
   */
  reconcile: z.boolean().optional(),
  /** With `reconcile`, on a host whose inventory has no GPU and no NIC yet: add every device found. */
  autoAdd: z.boolean().optional(),
}).superRefine((r, ctx) => {
  if (!r.reconcile) return;
  for (const kind of ["gpus", "nics"] as const) {
    if (!r[kind]) ctx.addIssue({ code: "custom", path: [kind], message: `reconcile needs the whole list of ${kind} (an empty list when there are none)` });
    r[kind]?.forEach((d, i) => {
      if (!d.identity) ctx.addIssue({ code: "custom", path: [kind, i, "identity"], message: "reconcile needs every device's identity" });
    });
  }
});
export type TRegisterRequest = z.infer<typeof ZRegisterRequest>;

/** A device of the host as the console knows it: its identity and the console's name for it. */
export const ZKnownDevice = z.strictObject({ identity, name: z.string().max(64) });

/** What a reconciling registration changed (ZRegisterRequest.reconcile). */
export const ZReconcileSummary = z.strictObject({
  /** The console's names of the devices it matched, by identity: start commands use these names. */
  gpus: z.array(ZKnownDevice),
  nics: z.array(ZKnownDevice),
  /** Added to the inventory now (autoAdd on a new host). */
  added: z.array(z.string().max(64)),
  /** Found, not in the inventory: waiting for an admin (add, replace a missing device, or ignore). */
  discovered: z.array(z.string().max(64)),
  /** In the inventory, not found on the host: marked missing (not allocated). */
  missing: z.array(z.string().max(64)),
  /** Missing before, found again now. */
  back: z.array(z.string().max(64)),
  /** autoAdd was asked on a host that already has devices: nothing was added (why, for the log). */
  autoAddSkipped: z.string().max(200).optional(),
});
export type TReconcileSummary = z.infer<typeof ZReconcileSummary>;

export const ZRegisterResponse = z.strictObject({
  hostId: id,
  /** Bearer token for every later call. */
  token: z.string().max(512),
  heartbeatS: z.number(),
  isolationTimeoutS: z.number(),
  vmStartS: z.number(),
  /**
   * What the agent does after losing the console for isolationTimeoutS. "power-off" (what this
   * console always sends): the agent fences itself — it powers off EVERY guest it runs, HA or not,
   * whatever the HA mode, except those started with `keepRunningWhenIsolated`. "none" is kept for
   * older consoles only.
   */
  isolationResponse: z.enum(["power-off", "none"]).default("power-off"),
  /** Only when the request asked to `reconcile`. */
  inventory: ZReconcileSummary.optional(),
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
  /**
   * +1 with every heartbeat of one run of the agent; it starts again (from 0) when the agent
   * restarts. The console takes a lower seq than the last one for a restart.
   */
  seq: z.number().int().min(0),
  vms: z.array(ZAgentVm).max(MAX_AGENT_VMS),
  nics: z.array(z.strictObject({ name, linkUp: z.boolean() })).max(MAX_AGENT_NICS).default([]),
  storageController: z.strictObject({ healthy: z.boolean() }).optional(),
  /**
   * Optional: the ids of the commands this run of the agent has received and not yet
   * acknowledged (the ack not delivered yet), as they stand when the heartbeat is built. A start
   * the agent neither reports nor acknowledged is failed only by a heartbeat that lists it here
   * (or by the first heartbeat of a new run); without the field the console waits for a seq
   * two past the one it had when the agent fetched the command.
   */
  commandsSeen: z.array(id).max(MAX_COMMANDS_SEEN).optional(),
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
  key: z.string().max(256),
  type: z.enum(["gpu", "vgpu", "sriov"]),
  tag: z.string().max(256),
  /** "h2/ens1f0/vf0", "h3/h3-gpu0/slot1", "h1/h1-gpu0". */
  device: z.string().max(256),
});

export const ZStartVmPayload = z.strictObject({
  vmName: z.string().max(128),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  haPriority: z.enum(["high", "medium", "low", "off"]),
  /** At most 16 device requests of at most 64 devices each (the inventory's bounds). */
  devices: z.array(ZCommandDevice).max(1024),
  ips: z.array(z.string().max(64)).max(64),
  /** One or two sessions per disk, at most 32 disks. */
  disks: z.array(z.strictObject({ index: z.number().int(), controller: z.string().max(128), session: z.number().int() })).max(64),
  purpose: z.enum(["power-on", "ha", "local-restart", "relocate", "maintenance-exit"]),
  incidentId: z.string().max(128).nullish(),
  attempt: z.number().int().min(1),
  /** Hosts where this VM's start failed in this episode (at most one per host of the cluster). */
  avoidHostIds: z.array(z.string().max(128)).max(10_000),
  /** A stop on another host that must be acknowledged before this start is released. */
  after: z.string().max(128).nullish(),
  /** The isolation response leaves this guest running (it opted out of fencing). Absent: false. */
  keepRunningWhenIsolated: z.boolean().optional(),
});
export type TStartVmPayload = z.infer<typeof ZStartVmPayload>;

export const ZStopReason = z.enum(["power-off", "maintenance", "stale", "network-fault", "duplicate", "device-fault"]);
export type TStopReason = z.infer<typeof ZStopReason>;

export const ZStopVmPayload = z.strictObject({
  vmName: z.string().max(128),
  reason: ZStopReason,
  incidentId: z.string().max(128).nullish(),
});
export type TStopVmPayload = z.infer<typeof ZStopVmPayload>;

export const ZMigrateVmPayload = z.strictObject({
  vmName: z.string().max(128),
  toHostId: z.string().max(128),
  toHostName: z.string().max(64),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  haPriority: z.enum(["high", "medium", "low", "off"]),
  ips: z.array(z.string().max(64)).max(64),
  /** As in start-vm: the isolation response leaves the guest running on the target. */
  keepRunningWhenIsolated: z.boolean().optional(),
});
export type TMigrateVmPayload = z.infer<typeof ZMigrateVmPayload>;

export const ZAgentCommand = z.discriminatedUnion("kind", [
  z.strictObject({ id, kind: z.literal("start-vm"), vmId: id, generation: z.number().int(), payload: ZStartVmPayload }),
  z.strictObject({ id, kind: z.literal("stop-vm"), vmId: id, generation: z.number().int(), payload: ZStopVmPayload }),
  z.strictObject({ id, kind: z.literal("migrate-vm"), vmId: id, generation: z.number().int(), payload: ZMigrateVmPayload }),
]);
export type TAgentCommand = z.infer<typeof ZAgentCommand>;

/** Every command waiting for the host (the console writes them; not bounded by the schema). */
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
