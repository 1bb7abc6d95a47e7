import "server-only";
// The host state machine's effects: what happens in the store when the detector (the engine's
// nextHostState) says a host is unreachable, failed or back, when a storage bond's links all go
// down or come back (network-fault countdown) and when it runs out. The failover a failed host
// needs is handed on through the host map (HostMem.failoverDue): the step passes those host ids
// to runFailover.
import { observedBetween, type HostState, type HostTransition } from "@/lib/engine";
import type { TStartVmPayload } from "@/lib/schemas/agent";
import { AppError } from "@/lib/server/errors";
import { openIncident } from "./journal";
import type { HaContext, HostMem, Scope, Tx } from "./context";
import { failCommands, releaseBlockedStart, releaseHold, setPower } from "./executor";
import { runFailover } from "./failover";

/** Acts on the state transition the detector found due for a host. */
export async function transitionHost(ctx: HaContext, h: HostMem, t: HostTransition | null): Promise<void> {
  if (t === "unreachable") await markUnreachable(ctx, h);
  else if (t === "failed") await markFailed(ctx, h);
  else if (t === "back") await markBack(ctx, h);
}

async function markUnreachable(ctx: HaContext, h: HostMem): Promise<void> {
  const now = ctx.clock.now();
  const at = new Date(now);
  const lastHb = new Date(Math.min(h.lastHb, now));
  await ctx.tx(async (tx, s) => {
    await tx.host.update({ where: { id: h.id }, data: { state: "unreachable", stateSince: at, lastHeartbeatAt: lastHb } });
    const inc = await openIncident(tx, { clusterId: ctx.clusterId, kind: "host-failure", hostId: h.id, openedAt: lastHb, detectedAt: at });
    h.incidentId = inc.id;
    const silentS = (now - h.lastHb) / 1000;
    const unobservedS = (now - h.lastHb - observedBetween(ctx.stalls, h.lastHb, now)) / 1000;
    await s.sink.record(tx, {
      at,
      kind: "host-unreachable",
      hostId: h.id,
      incidentId: inc.id,
      message: `${h.name} missed ${ctx.timing.missed} heartbeats (silent for ${silentS}s${unobservedS > 0 ? `, of which ${unobservedS}s the console could not observe and did not count` : ""})`,
      data: { lastHeartbeatAt: lastHb.toISOString(), silentS, missedHeartbeats: ctx.timing.missed, heartbeatS: ctx.timing.heartbeatMs / 1000, ...(unobservedS > 0 ? { unobservedS } : {}) },
    });
    await s.sink.record(tx, {
      at,
      kind: "countdown-started",
      hostId: h.id,
      incidentId: inc.id,
      message: `${h.name} is declared failed in ${ctx.timing.failureTimeoutMs / 1000}s unless it comes back`,
      data: { failureTimeoutS: ctx.timing.failureTimeoutMs / 1000, failsAt: new Date(now + ctx.timing.failureTimeoutMs).toISOString() },
    });
    await ctx.alerts.raise(tx, {
      kind: "HOST_UNREACHABLE",
      entity: { type: "host", id: h.id, name: h.name },
      message: `Host ${h.name} is unreachable: no heartbeat for ${silentS}s`,
      at,
      incidentId: inc.id,
    });
    await markUnknownOn(ctx, tx, s, h, inc.id, at);
  });
  h.state = "unreachable";
  h.since = now;
  ctx.evalNeeded = true;
}

/**
 * VMs that opted out of the isolation response (keepRunningWhenIsolated) on a host that went
 * silent: the console cannot tell whether they still run, so they are `unknown` (never
 * `stopped`, never started elsewhere) until the host reports again or an admin confirms the
 * host is powered off. VM_STATE_UNKNOWN says why.
 */
async function markUnknownOn(ctx: HaContext, tx: Tx, s: Scope, h: HostMem, incidentId: string | null, at: Date): Promise<void> {
  const vms = await tx.vm.findMany({ where: { hostId: h.id, keepRunningWhenIsolated: true, power: { in: ["running", "starting"] } }, select: { id: true, name: true, power: true } });
  for (const vm of vms) {
    await setPower(ctx, tx, vm.id, "unknown", { powerSince: at }, vm.power);
    await s.sink.record(tx, {
      at,
      kind: "vm-state-unknown",
      vmId: vm.id,
      hostId: h.id,
      incidentId,
      message: `${vm.name} keeps running when its host is isolated and ${h.name} is silent: its state is unknown; it is not started elsewhere until ${h.name} reports again or an admin confirms ${h.name} is powered off`,
    });
    await ctx.alerts.raise(tx, {
      kind: "VM_STATE_UNKNOWN",
      entity: { type: "vm", id: vm.id, name: vm.name },
      at,
      hostId: h.id,
      incidentId,
      message: `${vm.name} is in an unknown state: it opted out of the isolation response and its host ${h.name} is silent (a power loss and an isolation look alike). It is neither stopped nor rebuilt until ${h.name} reports again or an admin confirms ${h.name} is powered off.`,
    });
  }
}

export async function markFailed(ctx: HaContext, h: HostMem, note?: string): Promise<void> {
  const now = ctx.clock.now();
  const at = new Date(now);
  await ctx.tx(async (tx, s) => {
    await tx.host.update({ where: { id: h.id }, data: { state: "failed", stateSince: at } });
    if (!h.incidentId) {
      const inc = await openIncident(tx, { clusterId: ctx.clusterId, kind: "host-failure", hostId: h.id, openedAt: new Date(h.since), detectedAt: new Date(h.since) });
      h.incidentId = inc.id;
    }
    await tx.incident.update({ where: { id: h.incidentId }, data: { failedAt: at } });
    await s.sink.record(tx, {
      at,
      kind: "host-failed",
      hostId: h.id,
      incidentId: h.incidentId,
      message: note ?? `${h.name} did not come back within ${ctx.timing.failureTimeoutMs / 1000}s: failed; its HA VMs are rebuilt elsewhere`,
      data: { unreachableForS: (now - h.since) / 1000, sinceLastHeartbeatS: (now - h.lastHb) / 1000 },
    });
    await ctx.alerts.raise(tx, {
      kind: "HOST_FAILED",
      entity: { type: "host", id: h.id, name: h.name },
      message: `Host ${h.name} failed: unreachable for ${(now - h.since) / 1000}s`,
      at,
      incidentId: h.incidentId,
    });
    // Commands it never acknowledged are void; starts that waited on a stop there are released
    // (the host is down or has powered its VMs off by the isolation response).
    // Live migrations away from it will never finish: those VMs wait for a placement.
    const migrations = await tx.agentCommand.findMany({ where: { hostId: h.id, kind: "migrate-vm", status: { in: ["pending", "sent"] } } });
    for (const m of migrations) {
      const vm = m.vmId ? await tx.vm.findUnique({ where: { id: m.vmId } }) : null;
      if (!vm || vm.power !== "migrating" || vm.generation !== m.generation) continue;
      await releaseHold(tx, vm.id);
      await setPower(ctx, tx, vm.id, "pending", { hostId: null, powerSince: at }, vm.power);
      await s.sink.record(tx, {
        at,
        kind: "vm-migration-lost",
        vmId: vm.id,
        hostId: h.id,
        incidentId: h.incidentId,
        message: `${vm.name} was live-migrating away from ${h.name} when it failed; it is restarted where it fits`,
      });
      ctx.capacityChanged = true;
    }
    await failCommands(tx, { hostId: h.id, status: { in: ["pending", "sent"] } }, "host failed");
    await releaseStartsBlockedOnHost(ctx, tx, s, h.id);
  });
  h.state = "failed";
  h.since = now;
  ctx.setFailoverDue(h.id);
  ctx.evalNeeded = true;
}

async function markBack(ctx: HaContext, h: HostMem): Promise<void> {
  const now = ctx.clock.now();
  const at = new Date(now);
  const was = h.state;
  const inc = h.incidentId ? await ctx.db.incident.findUnique({ where: { id: h.incidentId } }) : null;
  await ctx.tx(async (tx, s) => {
    await tx.host.update({ where: { id: h.id }, data: { state: "online", stateSince: at, lastHeartbeatAt: new Date(h.lastHb) } });
    await s.sink.record(tx, {
      at,
      kind: "host-online",
      hostId: h.id,
      incidentId: inc && inc.status === "open" ? inc.id : null,
      message: `${h.name} is heartbeating again (was ${was} for ${(now - h.since) / 1000}s)`,
      data: { was, forS: (now - h.since) / 1000 },
    });
    await ctx.alerts.clear(tx, "HOST_UNREACHABLE", { type: "host", id: h.id }, at);
    await ctx.alerts.clear(tx, "HOST_FAILED", { type: "host", id: h.id }, at);
    // VMs of unknown state: the host's report decides (reconciled next: running → adopted,
    // missing → handled as a crash).
    const unknown = await tx.vm.findMany({ where: { hostId: h.id, power: "unknown" }, select: { id: true, name: true } });
    for (const vm of unknown) {
      await setPower(ctx, tx, vm.id, "running", { powerSince: at }, "unknown");
      await ctx.alerts.clear(tx, "VM_STATE_UNKNOWN", { type: "vm", id: vm.id }, at);
      await s.sink.record(tx, { at, kind: "vm-state-known", vmId: vm.id, hostId: h.id, message: `${h.name} reports again: the state of ${vm.name} is taken from its report` });
    }
    if (inc && inc.status === "open" && !inc.failedAt) {
      await tx.incident.update({ where: { id: inc.id }, data: { status: "closed", closedAt: at, summary: `${h.name} came back before the countdown ended` } });
      await s.sink.record(tx, { at, kind: "incident-closed", hostId: h.id, incidentId: inc.id, message: `${h.name} came back before it was declared failed` });
      h.incidentId = null;
    }
  });
  h.state = "online";
  h.since = now;
  h.reportDirty = true;
  ctx.capacityChanged = true;
  ctx.evalNeeded = true;
}

async function releaseStartsBlockedOnHost(ctx: HaContext, tx: Tx, s: Scope, hostId: string): Promise<void> {
  const blocked = await tx.agentCommand.findMany({ where: { status: "blocked" } });
  for (const c of blocked) {
    const p = JSON.parse(c.payload) as TStartVmPayload;
    if (!p.after) continue;
    const stop = await tx.agentCommand.findUnique({ where: { id: p.after }, select: { hostId: true } });
    if (!stop || stop.hostId === hostId) {
      await releaseBlockedStart(tx, c, s.hint);
    }
  }
}

export async function evaluateBonds(ctx: HaContext, h: HostMem): Promise<void> {
  const at = ctx.at();
  const bonds = new Map<string, { total: number; down: string[] }>();
  for (const n of h.nics) {
    if (n.role !== "storage") continue;
    const b = n.bond ?? n.name;
    const e = bonds.get(b) ?? { total: 0, down: [] };
    e.total++;
    if (!n.linkUp) e.down.push(n.name);
    bonds.set(b, e);
  }
  const degraded = [...bonds.entries()].filter(([, e]) => e.down.length > 0);
  const dead = [...bonds.entries()].filter(([, e]) => e.down.length === e.total && e.total > 0);
  const entity = { type: "host" as const, id: h.id, name: h.name };
  await ctx.tx(async (tx, s) => {
    if (degraded.length) {
      await ctx.alerts.raise(tx, {
        kind: "NIC_BOND_DEGRADED",
        entity,
        at,
        message: degraded.map(([b, e]) => `bond ${b} on ${h.name}: ${e.down.join(", ")} down (${e.total - e.down.length}/${e.total} up)`).join("; "),
      });
    } else await ctx.alerts.clear(tx, "NIC_BOND_DEGRADED", entity, at);
    if (dead.length && !h.netFault) {
      const inc = await openIncident(tx, { clusterId: ctx.clusterId, kind: "network-fault", hostId: h.id, openedAt: at, detectedAt: at });
      h.netFault = { since: at.getTime(), incidentId: inc.id, triggered: false };
      await s.sink.record(tx, {
        at,
        kind: "storage-network-down",
        hostId: h.id,
        incidentId: inc.id,
        message: `Every NIC of storage bond ${dead.map(([b]) => b).join(", ")} on ${h.name} is down; its VMs are rebuilt elsewhere in ${ctx.timing.failureTimeoutMs / 1000}s unless a link returns`,
        data: { bonds: dead.map(([b, e]) => ({ bond: b, down: e.down })), failureTimeoutS: ctx.timing.failureTimeoutMs / 1000 },
      });
    } else if (!dead.length && h.netFault) {
      const nf = h.netFault;
      h.netFault = null;
      await s.sink.record(tx, {
        at,
        kind: "storage-network-up",
        hostId: h.id,
        incidentId: nf.incidentId,
        message: `The storage network of ${h.name} is back`,
      });
      await ctx.alerts.clear(tx, "NETWORK_FAULT_HA", entity, at);
      if (!nf.triggered) {
        await tx.incident.update({ where: { id: nf.incidentId }, data: { status: "closed", closedAt: at, summary: "storage network back before the countdown ended" } });
      }
      ctx.capacityChanged = true;
    }
  });
  if (!h.netFault) ctx.clearFailoverDue(h.id);
}

export async function triggerNetworkFault(ctx: HaContext, h: HostMem): Promise<void> {
  const nf = h.netFault!;
  const at = ctx.at();
  await ctx.tx(async (tx, s) => {
    await tx.incident.update({ where: { id: nf.incidentId }, data: { failedAt: at } });
    await s.sink.record(tx, {
      at,
      kind: "network-fault-ha",
      hostId: h.id,
      incidentId: nf.incidentId,
      message: `The storage network of ${h.name} stayed down for ${ctx.timing.failureTimeoutMs / 1000}s: its VMs are stopped there and rebuilt elsewhere`,
      data: { downForS: (at.getTime() - nf.since) / 1000 },
    });
    await ctx.alerts.raise(tx, {
      kind: "NETWORK_FAULT_HA",
      entity: { type: "host", id: h.id, name: h.name },
      message: `Network-fault-triggered HA on ${h.name}: every NIC of its storage bond is down`,
      at,
      incidentId: nf.incidentId,
    });
  });
  nf.triggered = true;
  ctx.setFailoverDue(h.id);
  ctx.evalNeeded = true;
}

/**
 * An admin states that a silent host is powered off. Acts at once, even before the failure
 * timeout: the host is failed, its VMs of unknown state are known off, HA VMs are rebuilt and
 * the others stopped (they may be powered on elsewhere). Refused for a host that heartbeats.
 * Call under the lock (confirmHostPoweredOff in maintenance.ts); the caller audits it.
 */
export async function confirmPoweredOffLocked(ctx: HaContext, hostId: string, by?: string): Promise<{ hostId: string; host: string; vms: string[] }> {
  const h = ctx.hosts.get(hostId);
  if (!h) throw new AppError("NOT_FOUND", `Host ${hostId} not found`);
  if (h.state !== "unreachable" && h.state !== "failed")
    throw new AppError("CONFLICT", `${h.name} is ${h.state} and reports to the console: it cannot be confirmed powered off`);
  const at = ctx.at();
  const on = await ctx.db.vm.findMany({ where: { hostId }, select: { id: true, name: true, power: true }, orderBy: { name: "asc" } });
  await ctx.tx(async (tx, s) => {
    for (const vm of on) {
      if (vm.power !== "unknown") continue;
      await setPower(ctx, tx, vm.id, "running", { powerSince: at }, vm.power);
      await ctx.alerts.clear(tx, "VM_STATE_UNKNOWN", { type: "vm", id: vm.id }, at);
    }
    await s.sink.record(tx, {
      at,
      kind: "host-confirmed-off",
      hostId,
      incidentId: h.incidentId,
      message: `${by ? `${by} confirmed` : "An admin confirmed"} that ${h.name} is powered off: its VMs are known off${on.length ? ` (${on.map((v) => v.name).join(", ")})` : ""}; HA VMs are rebuilt, the others stopped`,
      data: { by: by ?? null, vms: on.map((v) => v.name) },
    });
  });
  if (h.state === "unreachable") await markFailed(ctx, h, `${h.name} confirmed powered off by an admin: failed; its HA VMs are rebuilt elsewhere`);
  else ctx.setFailoverDue(h.id);
  await runFailover(ctx, ctx.failoverDueHostIds());
  return { hostId, host: h.name, vms: on.map((v) => v.name) };
}

/** A service changed a host's state (maintenance entered or left): the host map follows, planner and evaluation wake. */
export function markHostState(ctx: HaContext, hostId: string, state: HostState): void {
  const h = ctx.hosts.get(hostId);
  if (h) {
    h.state = state;
    h.since = ctx.clock.now();
    if (state === "online") h.reportDirty = true;
  }
  ctx.capacityChanged = true;
  ctx.evalNeeded = true;
}

