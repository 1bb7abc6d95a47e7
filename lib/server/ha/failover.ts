import "server-only";
// Planner glue: the engine's plans turned into the executor's writes. runFailover(ctx,
// failedHostIds) takes the hosts detection declared failed (or whose network-fault HA triggered)
// as its argument; retryPending places pending VMs when capacity changed; relocate moves a VM
// that failed or crashed away from the hosts it failed on; long maintenance rebuilds device VMs
// elsewhere; an admin's retry of a VM in error.
import { buildCapacity, failoverOrder, planFailover, placeVm } from "@/lib/engine";
import type { TStopReason } from "@/lib/schemas/agent";
import { AppError } from "@/lib/server/errors";
import { chunked, isUniqueViolation, type HaContext, type StartPurpose } from "./context";
import { applyPlacement, markPending, markStopped, setPower } from "./executor";
import { incidentFor, maybeCloseIncident, rebuildFailedMessage } from "./incidents";

/**
 * Fails over the VMs of `failedHostIds` (hosts declared failed, or whose network-fault HA
 * triggered): one plan for them all (planFailover), then per VM one transaction — placed (start
 * first stopped on a reachable source), pending (no host fits), or not restarted. A host that is
 * planned here leaves the hand-off (HostMem.failoverDue).
 */
export async function runFailover(ctx: HaContext, failedHostIds: readonly string[]): Promise<void> {
  // A network-faulted host that has meanwhile become unreachable cannot be told to stop its
  // VMs: wait until it is declared failed (its isolation response has run) or comes back.
  const hostIds = failedHostIds.filter((id) => ctx.hosts.has(id) && ctx.hosts.get(id)!.state !== "unreachable");
  for (const id of hostIds) ctx.clearFailoverDue(id);
  if (!hostIds.length) return;
  const snap = await ctx.snapshot();
  const failed = new Set(hostIds);
  // A VM live-migrating onto a failed host still runs on its (reachable) source: it is not a
  // victim. The migration's outcome decides: back on the source, or failed over once it lands.
  for (const v of snap.vms) {
    if (v.power !== "migrating" || !v.hostId || !failed.has(v.hostId)) continue;
    const m = await ctx.db.agentCommand.findFirst({ where: { vmId: v.id, kind: "migrate-vm" }, orderBy: { createdAt: "desc" }, select: { hostId: true, status: true } });
    const src = m ? ctx.hosts.get(m.hostId) : undefined;
    if (m && src && (src.state === "online" || src.state === "maintenance") && (m.status === "pending" || m.status === "sent")) v.hostId = m.hostId;
  }
  // VMs of unknown state (opted out of the isolation response) stay where they are: started
  // nowhere else until their host reports again or an admin confirms it is powered off.
  const unknownIds = new Set(
    (await ctx.db.vm.findMany({ where: { hostId: { in: hostIds }, power: "unknown" }, select: { id: true } })).map((v) => v.id),
  );
  if (unknownIds.size) snap.vms = snap.vms.filter((v) => !unknownIds.has(v.id));
  const victims = snap.vms.filter((v) => v.hostId && failed.has(v.hostId));
  const incidents = new Set<string>();
  const incidentOfHost = (hostId: string) => {
    const h = ctx.hosts.get(hostId)!;
    const id = h.netFault?.triggered ? h.netFault.incidentId : h.incidentId;
    if (id) incidents.add(id);
    return id ?? null;
  };
  for (const id of hostIds) incidentOfHost(id);
  if (victims.length) {
    const vmHost = new Map(victims.map((v) => [v.id, v.hostId!]));
    const reachable = (hostId: string) => {
      const st = ctx.hosts.get(hostId)?.state;
      return st === "online" || st === "maintenance";
    };
    const plan = planFailover(snap, hostIds);
    const at = ctx.at();
    for (const id of hostIds) {
      const inc = incidentOfHost(id);
      const mine = (xs: { vmId: string }[]) => xs.filter((x) => vmHost.get(x.vmId) === id).length;
      await ctx.tx(async (tx, s) => {
        await s.sink.record(tx, {
          at,
          kind: "failover-planned",
          hostId: id,
          incidentId: inc,
          message: `Failover of ${ctx.hostName(id)}: ${mine(plan.placements)} to restart, ${mine(plan.unplaceable)} without a host, ${mine(plan.skipped)} not restarted`,
          data: {
            order: plan.placements.filter((p) => vmHost.get(p.vmId) === id).map((p) => ({ vm: snap.vms.find((v) => v.id === p.vmId)?.name, to: p.hostName })),
            unplaceable: plan.unplaceable.filter((p) => vmHost.get(p.vmId) === id).map((p) => ({ vm: snap.vms.find((v) => v.id === p.vmId)?.name, reasons: p.reasons })),
            skipped: plan.skipped.filter((p) => vmHost.get(p.vmId) === id).map((p) => ({ vm: snap.vms.find((v) => v.id === p.vmId)?.name, reason: p.reason })),
          },
        });
      });
    }
    for (const p of plan.placements) {
      const from = vmHost.get(p.vmId)!;
      try {
        await ctx.tx((tx, s) =>
          applyPlacement(ctx, tx, s, snap, p, {
            purpose: "ha",
            incidentId: incidentOfHost(from),
            attempt: 1,
            avoid: [],
            stopFirstOn: reachable(from) ? from : null,
          }),
        );
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        ctx.log.warn({ vmId: p.vmId }, "failover placement collided with another allocation; the VM waits for the next try");
        await ctx.tx((tx, s) =>
          markPending(ctx, tx, s, snap, p.vmId, ["its devices were taken meanwhile; retried"], {
            incidentId: incidentOfHost(from),
            failedHostId: from,
            alert: false,
            stopOn: reachable(from) ? from : null,
          }),
        );
        ctx.capacityChanged = true;
      }
    }
    for (const u of plan.unplaceable) {
      const from = vmHost.get(u.vmId)!;
      const reasons = [...u.reasons, ...u.rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`)];
      await ctx.tx((tx, s) =>
        markPending(ctx, tx, s, snap, u.vmId, reasons, { incidentId: incidentOfHost(from), failedHostId: from, alert: true, stopOn: reachable(from) ? from : null }),
      );
    }
    for (const k of plan.skipped) {
      const from = vmHost.get(k.vmId)!;
      // Being powered off for a maintenance that has ended meanwhile: it is meant to run again.
      const row = await ctx.db.vm.findUnique({ where: { id: k.vmId }, select: { restartOnMaintenanceExit: true, power: true } });
      if (row?.restartOnMaintenanceExit && row.power === "stopping" && ctx.hosts.get(from)?.state !== "maintenance") {
        await ctx.tx((tx, s) =>
          markPending(ctx, tx, s, snap, k.vmId, [`its host ${ctx.hostName(from)} failed while it was powered off for maintenance`], {
            incidentId: incidentOfHost(from),
            failedHostId: from,
            alert: true,
            stopOn: reachable(from) ? from : null,
          }),
        );
        ctx.capacityChanged = true;
        continue;
      }
      await ctx.tx((tx, s) => markStopped(ctx, tx, s, snap, k.vmId, k.reason, incidentOfHost(from), reachable(from) ? from : null));
    }
  }
  ctx.evalNeeded = true;
  for (const id of incidents) await maybeCloseIncident(ctx, id);
}

export async function retryPending(ctx: HaContext): Promise<void> {
  const pending = await ctx.db.vm.findMany({ where: { power: "pending" }, select: { id: true } });
  if (!pending.length) return;
  // Never start a VM elsewhere while a copy may still run: a stop not yet acknowledged by a host
  // that is not failed (a failed host has powered its VMs off) holds the VM back.
  const stops: { vmId: string | null; hostId: string }[] = [];
  for (const part of chunked(pending.map((p) => p.id))) {
    stops.push(
      ...(await ctx.db.agentCommand.findMany({
        where: { kind: "stop-vm", status: { in: ["pending", "sent"] }, vmId: { in: part } },
        select: { vmId: true, hostId: true },
      })),
    );
  }
  const held = new Set(stops.filter((c) => ctx.hosts.get(c.hostId)?.state !== "failed").map((c) => c.vmId!));
  const snap = await ctx.snapshot();
  const ids = new Set(pending.map((p) => p.id).filter((id) => !held.has(id)));
  if (held.size) ctx.capacityChanged = true; // look again next step
  const order = failoverOrder(buildCapacity(snap), snap.vms.filter((v) => ids.has(v.id)));
  for (const vm of order) {
    const out = placeVm(snap, vm.id, { purpose: "ha", ignoreReserve: true, excludeHostIds: ctx.unavailableHostIds() });
    const incidentId = await incidentFor(ctx, vm.id);
    if (out.kind === "placed") {
      try {
        await ctx.tx((tx, s) => applyPlacement(ctx, tx, s, snap, out, { purpose: "ha", incidentId, attempt: 1, avoid: [], note: "capacity changed" }));
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        ctx.capacityChanged = true;
      }
    } else {
      const reasons = [...out.reasons, ...out.rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`)];
      const entity = { type: "vm" as const, id: vm.id, name: vm.name };
      if (ctx.alerts.isOpen("HA_REBUILD_FAILED", entity)) {
        await ctx.alerts.raise(ctx.db, { kind: "HA_REBUILD_FAILED", entity, at: ctx.at(), message: rebuildFailedMessage(ctx, vm.name, reasons) });
      }
    }
  }
}

/** Place a VM anew avoiding some hosts (failed starts, its crashed host); pending when nowhere. */
export async function relocate(
  ctx: HaContext,
  vmId: string,
  avoid: string[],
  incidentId: string | null,
  purpose: StartPurpose,
  why: string,
  stopFirstOn: string | null = null,
  stopReason: TStopReason = "stale",
): Promise<void> {
  const snap = await ctx.snapshot();
  const out = placeVm(snap, vmId, { purpose: "ha", ignoreReserve: true, excludeHostIds: [...avoid, ...ctx.unavailableHostIds()] });
  const failedHostId = incidentId ? ((await ctx.db.incident.findUnique({ where: { id: incidentId }, select: { hostId: true } }))?.hostId ?? null) : null;
  if (out.kind === "placed") {
    await ctx.tx((tx, s) => applyPlacement(ctx, tx, s, snap, out, { purpose, incidentId, attempt: 1, avoid, note: why, stopFirstOn, stopReason }));
  } else {
    const reasons = [`${why}; no other host fits`, ...out.reasons, ...out.rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`)];
    await ctx.tx((tx, s) =>
      markPending(ctx, tx, s, snap, vmId, reasons, { incidentId, failedHostId: failedHostId ?? stopFirstOn, alert: purpose !== "power-on", stopOn: stopFirstOn, stopReason }),
    );
  }
}

/**
 * Device VMs powered off for a maintenance that has lasted longer than the cluster's
 * maintenanceRebuildAfterS are rebuilt elsewhere (otherwise they wait for their host's exit).
 */
export async function rebuildAfterLongMaintenance(ctx: HaContext, now: number): Promise<void> {
  const limit = ctx.policy.maintenanceRebuildAfterMs;
  if (limit === null) return;
  const hosts = await ctx.db.host.findMany({ where: { state: "maintenance", stateSince: { lte: new Date(now - limit) } }, select: { id: true, name: true } });
  for (const host of hosts) {
    const flagged = await ctx.db.vm.findMany({ where: { restartOnMaintenanceExit: true, power: "stopped" }, orderBy: { name: "asc" }, select: { id: true, name: true } });
    for (const vm of flagged) {
      const stop = await ctx.db.agentCommand.findFirst({ where: { vmId: vm.id, kind: "stop-vm" }, orderBy: { createdAt: "desc" }, select: { hostId: true, payload: true } });
      if (!stop || stop.hostId !== host.id || (JSON.parse(stop.payload) as { reason?: string }).reason !== "maintenance") continue;
      const snap = await ctx.snapshot();
      const out = placeVm(snap, vm.id, { purpose: "power-on", ignoreReserve: true, excludeHostIds: [host.id, ...ctx.unavailableHostIds()] });
      const why = `${host.name} is still in maintenance after ${limit / 1000}s`;
      if (out.kind === "placed") {
        await ctx.tx((tx, s) => applyPlacement(ctx, tx, s, snap, out, { purpose: "maintenance-exit", incidentId: null, attempt: 1, avoid: [host.id], note: why }));
      } else {
        await ctx.tx(async (tx, s) => {
          await tx.vm.update({ where: { id: vm.id }, data: { restartOnMaintenanceExit: false } });
          await markPending(ctx, tx, s, snap, vm.id, [why, ...out.reasons], { incidentId: null, failedHostId: host.id, alert: true });
        });
      }
    }
  }
}

/** An admin retries a VM in `error` (its restart policy starts afresh): placed where it fits, else pending. Call under the lock. */
export async function retryVmLocked(ctx: HaContext, vmId: string, by?: string): Promise<{ vmId: string; power: string }> {
  const vm = await ctx.db.vm.findUnique({ where: { id: vmId } });
  if (!vm) throw new AppError("NOT_FOUND", `VM ${vmId} not found`);
  if (vm.power !== "error") throw new AppError("CONFLICT", `${vm.name} is ${vm.power}, not in error: nothing to retry`);
  ctx.restartState.delete(vmId);
  const at = ctx.at();
  await ctx.tx(async (tx, s) => {
    await setPower(ctx, tx, vmId, "pending", { desiredPower: "on", powerSince: at }, vm.power);
    await s.sink.record(tx, { at, kind: "vm-retry", vmId, message: `${vm.name}: retried${by ? ` by ${by}` : ""}; its restart policy starts afresh` });
  });
  ctx.capacityChanged = true;
  await retryPending(ctx);
  const after = await ctx.db.vm.findUniqueOrThrow({ where: { id: vmId }, select: { power: true } });
  return { vmId, power: after.power };
}

