import "server-only";
// The executor: the one writer of placement rows (device allocations, storage sessions, IP
// leases), of Vm.power and of agent command rows. Every decision is written inside a transaction
// before any agent sees it; a VM's power moves only along lib/engine/vm-state.ts's transitions
// (a writer that claims another is logged). vm-power.ts, maintenance.ts and failback.ts write
// through here too.
//
// The planners place VMs one after another against one working snapshot: applyPlacement,
// markPending and markStopped record their decision in it (recordInPlan), so the next decision
// of the same pass sees the capacity this one took or gave back.
import type { Prisma, PrismaClient } from "@prisma/client";
import { allocateAddress, planStorageSessions, vmPowerTransitionAllowed, type ClusterSnapshot, type DeviceAllocation, type Placed, type VmPowerState } from "@/lib/engine";
import type { TAgentCommand, TStartVmPayload, TStopReason } from "@/lib/schemas/agent";
import type { HaContext, Scope, StartPurpose, Tx } from "./context";
import { rebuildFailedMessage, settle, track } from "./incidents";

type Db = Tx | PrismaClient;

/** Device label for reports and commands: "h2/ens1f0/vf0", "h3/h3-gpu0/slot1", "h1/h1-gpu0". */
export function deviceLabel(snap: ClusterSnapshot, a: DeviceAllocation): string {
  const host = snap.hosts.find((h) => h.id === a.hostId);
  const hn = host?.name ?? a.hostId;
  if (a.type === "sriov") {
    const nic = host?.nics.find((n) => n.id === a.nicId);
    return `${hn}/${nic?.name ?? a.nicId}/vf${a.vf}`;
  }
  const gpu = host?.gpus.find((g) => g.id === a.gpuId);
  return a.type === "vgpu" ? `${hn}/${gpu?.name ?? a.gpuId}/slot${a.slot}` : `${hn}/${gpu?.name ?? a.gpuId}`;
}

// ------------------------------------------------------------------ power

/**
 * Writes a VM's power (with the other fields of the same change). `from`: the power the writer
 * found it in (checked against the transition table; a move the table does not list is logged,
 * not refused — the store stays the writer's to decide).
 */
export async function setPower(
  ctx: HaContext,
  tx: Db,
  vmId: string,
  to: VmPowerState,
  data: Omit<Prisma.VmUncheckedUpdateInput, "power"> = {},
  from?: string | null,
) {
  if (from != null && !vmPowerTransitionAllowed(from, to)) ctx.log.warn({ vmId, from, to }, "VM power transition not in lib/engine/vm-state.ts");
  return tx.vm.update({ where: { id: vmId }, data: { power: to, ...data } });
}

/** The VM holds nothing any more: its device allocations and storage sessions go (IP leases stay). */
export async function releaseHold(tx: Db, vmId: string): Promise<void> {
  await tx.deviceAllocation.deleteMany({ where: { vmId } });
  await tx.storageSession.deleteMany({ where: { vmId } });
}

/** A VM's storage sessions as planned (evaluation: the storage path moved). */
export async function replaceStorageSessions(tx: Tx, vmId: string, sessions: { diskIndex: number; session: number; controllerHostId: string }[]): Promise<void> {
  await tx.storageSession.deleteMany({ where: { vmId } });
  if (sessions.length) await tx.storageSession.createMany({ data: sessions.map((p) => ({ vmId, diskIndex: p.diskIndex, session: p.session, controllerHostId: p.controllerHostId })) });
}

/**
 * A live migration: the VM is `migrating` on the target with a new generation and the source is
 * told to move it (maintenance, failback, an admin's migration).
 */
export async function startMigration(
  ctx: HaContext,
  tx: Tx,
  s: Scope,
  vm: { id: string; name: string; generation: number; vcpus: number; memoryMiB: number; haPriority: string; power?: string },
  from: string,
  to: { id: string; name: string },
  payload: { ips: string[]; keepRunningWhenIsolated?: boolean },
  at: Date,
  extra: { placedByAdmin?: boolean } = {},
): Promise<string> {
  await setPower(ctx, tx, vm.id, "migrating", { hostId: to.id, generation: vm.generation + 1, powerSince: at, ...extra }, vm.power);
  return createCommand(ctx, tx, s, {
    hostId: from,
    vmId: vm.id,
    kind: "migrate-vm",
    generation: vm.generation + 1,
    payload: { vmName: vm.name, toHostId: to.id, toHostName: to.name, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, haPriority: vm.haPriority, ...payload },
  });
}

/** A VM is powered off where it runs: `stopping`, and a stop-vm goes to its host (power-off, maintenance). */
export async function requestPowerOff(
  ctx: HaContext,
  tx: Tx,
  s: Scope,
  vm: { id: string; name: string; generation: number; hostId: string; power: string },
  reason: "power-off" | "maintenance",
  data: Omit<Prisma.VmUncheckedUpdateInput, "power">,
): Promise<string> {
  await setPower(ctx, tx, vm.id, "stopping", data, vm.power);
  return createCommand(ctx, tx, s, { hostId: vm.hostId, vmId: vm.id, kind: "stop-vm", generation: vm.generation, payload: { vmName: vm.name, reason, incidentId: null } });
}

// ------------------------------------------------------------------ commands

/** A start waiting on a stop is released (pending; its host is hinted). */
export async function releaseBlockedStart(tx: Db, c: { id: string; hostId: string }, hint: (hostId: string) => void): Promise<void> {
  await tx.agentCommand.update({ where: { id: c.id }, data: { status: "pending" } });
  hint(c.hostId);
}

/** Commands that will never be acknowledged (their host failed, the VM was powered off). */
export async function failCommands(tx: Db, where: Prisma.AgentCommandWhereInput, result: string): Promise<void> {
  await tx.agentCommand.updateMany({ where, data: { status: "failed", result } });
}

/** One command given up (a start lost with its host's report, or never confirmed). */
export async function failCommand(tx: Db, id: string, result: string, at: Date): Promise<void> {
  await tx.agentCommand.update({ where: { id }, data: { status: "failed", result, ackedAt: at } });
}

/** A start the host's report confirms although its ack never came. */
export async function completeCommand(tx: Db, id: string, result: string, at: Date): Promise<void> {
  await tx.agentCommand.update({ where: { id }, data: { status: "done", ackedAt: at, result } });
}

/** After a restart: starts and stops marked sent whose reply may have been lost go out again. */
export async function resendUnacknowledged(db: Db): Promise<void> {
  await db.agentCommand.updateMany({ where: { status: "sent", kind: { in: ["start-vm", "stop-vm"] } }, data: { status: "pending" } });
}

/** Records the decision of a planner's pass in its working snapshot's VM (the next decision sees it). */
function recordInPlan<V extends ClusterSnapshot["vms"][number] | undefined>(sv: V, change: { hostId: string | null; allocations: DeviceAllocation[]; power: "starting" | "pending" | "stopped" }): V {
  if (sv) {
    sv.hostId = change.hostId;
    sv.allocations = change.allocations;
    sv.power = change.power;
  }
  return sv;
}

export async function createCommand(
  ctx: HaContext,
  tx: Tx,
  s: Scope,
  c: { hostId: string; vmId: string; kind: TAgentCommand["kind"]; generation: number; payload: object; status?: "pending" | "blocked" },
): Promise<string> {
  const row = await tx.agentCommand.create({
    data: {
      hostId: c.hostId,
      vmId: c.vmId,
      kind: c.kind,
      generation: c.generation,
      payload: JSON.stringify(c.payload),
      status: c.status ?? "pending",
      createdAt: ctx.at(),
    },
    select: { id: true },
  });
  if ((c.status ?? "pending") === "pending") s.hint(c.hostId);
  return row.id;
}

/** Addresses for NICs on managed networks that have none yet (kept for the VM's life). */
export async function ensureLeases(ctx: HaContext, tx: Tx, vmId: string): Promise<void> {
  const nics = await tx.vmNic.findMany({ where: { vmId, lease: null }, include: { network: true }, orderBy: { index: "asc" } });
  for (const n of nics) {
    const net = n.network;
    if (!net.managed || !net.cidr) continue;
    const used = new Set((await tx.ipLease.findMany({ where: { networkId: net.id }, select: { address: true } })).map((l) => l.address));
    let address: string;
    if (n.staticIp) address = n.staticIp;
    else {
      const r = allocateAddress({ cidr: net.cidr, gateway: net.gateway, poolStart: net.poolStart, poolEnd: net.poolEnd }, used);
      if (!r.ok) throw Object.assign(new Error(`${net.name}: ${r.reason}`), { code: "IPAM" });
      address = r.address;
    }
    await tx.ipLease.create({ data: { networkId: net.id, address, vmId, vmNicId: n.id, static: !!n.staticIp, createdAt: ctx.at() } });
  }
}

/**
 * Persist one placement: devices moved to the concrete units the engine chose, generation
 * bumped, storage sessions planned, IP leases KEPT, a start-vm command queued (held behind a
 * stop on `stopFirstOn` when the old host is still reachable) and the events written.
 */
export async function applyPlacement(
  ctx: HaContext,
  tx: Tx,
  s: Scope,
  snap: ClusterSnapshot,
  placed: Placed,
  o: {
    purpose: StartPurpose;
    incidentId: string | null;
    attempt: number;
    avoid: string[];
    stopFirstOn?: string | null;
    stopReason?: TStopReason;
    note?: string;
  },
): Promise<void> {
  const at = ctx.at();
  const sv = snap.vms.find((v) => v.id === placed.vmId)!;
  const fromHostId = sv.hostId ?? null;
  recordInPlan(sv, { hostId: placed.hostId, allocations: placed.allocations, power: "starting" });
  // The VM alone decides local sessions; the whole cluster only matters to spread redirected ones.
  let sessions = planStorageSessions({ ...snap, vms: [sv] });
  if (sessions.some((p) => p.redirected || p.unavailable)) sessions = planStorageSessions(snap).filter((p) => p.vmId === sv.id);
  track(ctx, o.incidentId, sv.id);
  await tx.deviceAllocation.deleteMany({ where: { vmId: sv.id } });
  if (placed.allocations.length) {
    await tx.deviceAllocation.createMany({
      data: placed.allocations.map((a) => ({
        deviceKey: a.key,
        vmId: sv.id,
        hostId: placed.hostId,
        type: a.type,
        tag: a.tag,
        gpuId: a.gpuId ?? null,
        slot: a.slot ?? null,
        nicId: a.nicId ?? null,
        vf: a.vf ?? null,
        createdAt: at,
      })),
    });
  }
  await tx.storageSession.deleteMany({ where: { vmId: sv.id } });
  if (sessions.length) {
    await tx.storageSession.createMany({
      data: sessions.map((p) => ({ vmId: sv.id, diskIndex: p.diskIndex, session: p.session, controllerHostId: p.controllerHostId })),
    });
  }
  await ensureLeases(ctx, tx, sv.id);
  const prev = await tx.vm.findUniqueOrThrow({ where: { id: sv.id }, select: { generation: true, power: true } });
  const vm = await setPower(
    ctx,
    tx,
    sv.id,
    "starting",
    {
      hostId: placed.hostId,
      desiredPower: "on",
      generation: prev.generation + 1,
      powerSince: at,
      restartOnMaintenanceExit: false,
      placedByAdmin: false,
      lastPlacementReasons: JSON.stringify(placed.reasons),
    },
    prev.power,
  );
  const leases = await tx.ipLease.findMany({ where: { vmId: sv.id }, include: { vmNic: true } });
  const ips = leases.sort((a, b) => a.vmNic.index - b.vmNic.index).map((l) => l.address);
  let after: string | null = null;
  if (o.stopFirstOn) {
    after = await createCommand(ctx, tx, s, {
      hostId: o.stopFirstOn,
      vmId: sv.id,
      kind: "stop-vm",
      generation: prev.generation,
      payload: { vmName: vm.name, reason: o.stopReason ?? "network-fault", incidentId: o.incidentId },
    });
    ctx.stopsSent.set(`${o.stopFirstOn}|${sv.id}|${prev.generation}`, at.getTime());
    await s.sink.record(tx, {
      at,
      kind: "vm-stop-sent",
      vmId: sv.id,
      hostId: o.stopFirstOn,
      incidentId: o.incidentId,
      message: `${vm.name} is stopped on ${ctx.hostName(o.stopFirstOn)} first (its agent is reachable)`,
      data: { generation: prev.generation },
    });
  }
  const payload: TStartVmPayload = {
    vmName: vm.name,
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    haPriority: vm.haPriority as TStartVmPayload["haPriority"],
    devices: placed.allocations.map((a) => ({ key: a.key, type: a.type, tag: a.tag, device: deviceLabel(snap, a) })),
    ips,
    disks: sessions.map((p) => ({ index: p.diskIndex, session: p.session, controller: ctx.hostName(p.controllerHostId) ?? p.controllerHostId })),
    purpose: o.purpose,
    incidentId: o.incidentId,
    attempt: o.attempt,
    avoidHostIds: o.avoid,
    after,
    ...(vm.keepRunningWhenIsolated ? { keepRunningWhenIsolated: true } : {}),
  };
  await createCommand(ctx, tx, s, { hostId: placed.hostId, vmId: sv.id, kind: "start-vm", generation: vm.generation, payload, status: after ? "blocked" : "pending" });
  await s.sink.record(tx, {
    at,
    kind: "vm-planned",
    vmId: sv.id,
    hostId: placed.hostId,
    incidentId: o.incidentId,
    message: `${vm.name} → ${placed.hostName}${o.note ? ` (${o.note})` : ""}: ${placed.reasons.join("; ")}`,
    data: {
      purpose: o.purpose,
      from: ctx.hostName(fromHostId),
      to: placed.hostName,
      generation: vm.generation,
      devices: payload.devices.map((d) => d.device),
      ips,
      reasons: placed.reasons,
      rejections: placed.rejections,
      attempt: o.attempt,
      avoid: o.avoid.map((h) => ctx.hostName(h)),
    },
  });
  await s.sink.record(tx, {
    at,
    kind: after ? "vm-start-queued" : "vm-start-sent",
    vmId: sv.id,
    hostId: placed.hostId,
    incidentId: o.incidentId,
    message: after ? `${vm.name}: start on ${placed.hostName} waits for the stop on ${ctx.hostName(o.stopFirstOn)}` : `${vm.name}: start sent to ${placed.hostName}`,
    data: { generation: vm.generation, attempt: o.attempt },
  });
}

/** No host for the VM now: pending, nothing held, HA_REBUILD_FAILED says why (when `alert`). */
export async function markPending(
  ctx: HaContext,
  tx: Tx,
  s: Scope,
  snap: ClusterSnapshot,
  vmId: string,
  reasons: string[],
  o: { incidentId: string | null; failedHostId: string | null; alert: boolean; stopOn?: string | null; stopReason?: TStopReason },
): Promise<void> {
  const at = ctx.at();
  const sv = snap.vms.find((v) => v.id === vmId);
  const before = await tx.vm.findUniqueOrThrow({ where: { id: vmId } });
  track(ctx, o.incidentId, vmId);
  if (o.stopOn) {
    await createCommand(ctx, tx, s, { hostId: o.stopOn, vmId, kind: "stop-vm", generation: before.generation, payload: { vmName: before.name, reason: o.stopReason ?? "network-fault", incidentId: o.incidentId } });
    ctx.stopsSent.set(`${o.stopOn}|${vmId}|${before.generation}`, at.getTime());
  }
  await releaseHold(tx, vmId);
  const vm = await setPower(ctx, tx, vmId, "pending", { hostId: null, desiredPower: "on", powerSince: at }, before.power);
  recordInPlan(sv, { hostId: null, allocations: [], power: "pending" });
  await s.sink.record(tx, {
    at,
    kind: "vm-unplaceable",
    vmId,
    hostId: o.failedHostId,
    incidentId: o.incidentId,
    message: `${vm.name} has no host to run on; it waits and is retried when capacity changes: ${reasons.slice(0, 3).join("; ")}`,
    data: { reasons },
  });
  if (o.alert) {
    await ctx.alerts.raise(tx, {
      kind: "HA_REBUILD_FAILED",
      entity: { type: "vm", id: vmId, name: vm.name },
      at,
      hostId: o.failedHostId,
      incidentId: o.incidentId,
      message: rebuildFailedMessage(ctx, vm.name, reasons),
    });
  }
}

export async function markStopped(ctx: HaContext, tx: Tx, s: Scope, snap: ClusterSnapshot, vmId: string, reason: string, incidentId: string | null, stopOn: string | null = null): Promise<void> {
  const at = ctx.at();
  settle(ctx, vmId);
  const before = await tx.vm.findUniqueOrThrow({ where: { id: vmId } });
  if (stopOn) {
    await createCommand(ctx, tx, s, { hostId: stopOn, vmId, kind: "stop-vm", generation: before.generation, payload: { vmName: before.name, reason: "network-fault", incidentId } });
    ctx.stopsSent.set(`${stopOn}|${vmId}|${before.generation}`, at.getTime());
  }
  await releaseHold(tx, vmId);
  await setPower(ctx, tx, vmId, "stopped", { hostId: null, desiredPower: "off", powerSince: at }, before.power);
  recordInPlan(snap.vms.find((v) => v.id === vmId), { hostId: null, allocations: [], power: "stopped" });
  await s.sink.record(tx, {
    at,
    kind: "vm-not-restarted",
    vmId,
    hostId: before.hostId,
    incidentId,
    message: `${before.name} is not restarted: ${reason}`,
    data: { reason },
  });
}

