import "server-only";
// Acknowledgements: an agent's answer to a command (already recorded on its row by the agent
// service) applied to the VM — a start done (running; HA_REBUILD_SUCCEEDED) or failed (the restart
// policy: retried in place, relocated, or given up), a stop done (the start waiting on it
// released; a power-off or maintenance stop leaves the VM stopped), a live migration done or
// failed (back on its source). A start acknowledged for a copy the store places elsewhere — or a
// stale copy a report shows (reconcile.ts) — is told to stop (requestStop).
import type { TCommandAck, TStartVmPayload, TStopReason } from "@/lib/schemas/agent";
import type { CommandRow, HaContext } from "./context";
import { completeCommand, createCommand, releaseBlockedStart, releaseHold, setPower } from "./executor";
import { afterFailure, markError } from "./restart-policy";
import { relocate } from "./failover";
import { incidentInfo, maybeCloseIncident, settle } from "./incidents";

/** An agent acknowledged a command (the service has recorded the ack on the row). */
export async function applyAck(ctx: HaContext, cmdId: string, ack: TCommandAck, row?: CommandRow | null): Promise<void> {
  {
    const cmd = row ?? (await ctx.db.agentCommand.findUnique({ where: { id: cmdId } }));
    if (!cmd || !cmd.vmId) return;
    const payload = JSON.parse(cmd.payload);
    if (cmd.kind === "start-vm") {
      const vm = await ctx.db.vm.findUnique({ where: { id: cmd.vmId }, select: { id: true, hostId: true, generation: true, power: true, name: true } });
      if (!vm) return;
      const current = vm.hostId === cmd.hostId && vm.generation === cmd.generation;
      if (ack.status === "done") {
        if (current && vm.power === "starting") await markRunning(ctx, vm.id, cmd.hostId, cmd.generation, "ack", payload as TStartVmPayload);
        else if (!current) await requestStop(ctx, cmd.hostId, vm.id, cmd.generation, "stale", vm.name, null);
      } else if (current && vm.power === "starting") {
        await handleStartFailure(ctx, vm.id, cmd.hostId, payload as TStartVmPayload, ack.error ?? "start failed");
      }
      return;
    }
    if (cmd.kind === "stop-vm") {
      await onStopAcked(ctx, cmd.id, cmd.hostId, cmd.vmId, cmd.generation, payload.reason as TStopReason, ack);
      return;
    }
    if (cmd.kind === "migrate-vm") {
      const vm = await ctx.db.vm.findUnique({ where: { id: cmd.vmId } });
      if (!vm) return;
      const at = ctx.at();
      if (ack.status === "done" && vm.power === "migrating" && vm.generation === cmd.generation) {
        const target = vm.hostId ? ctx.hosts.get(vm.hostId) : undefined;
        if (target && (target.state === "failed" || target.netFault?.triggered)) ctx.setFailoverDue(target.id); // it landed on a host being failed over
        await ctx.tx(async (tx, s) => {
          await setPower(ctx, tx, vm.id, "running", { powerSince: at }, vm.power);
          await s.sink.record(tx, {
            at,
            kind: "vm-migrated",
            vmId: vm.id,
            hostId: vm.hostId,
            message: `${vm.name} live-migrated from ${ctx.hostName(cmd.hostId)} to ${ctx.hostName(vm.hostId)}`,
            data: { from: ctx.hostName(cmd.hostId), to: ctx.hostName(vm.hostId) },
          });
        });
        ctx.evalNeeded = true;
      } else if (ack.status === "failed" && vm.power === "migrating" && vm.generation === cmd.generation) {
        // The copy keeps running on the source: put it back there.
        await ctx.tx(async (tx, s) => {
          await setPower(ctx, tx, vm.id, "running", { hostId: cmd.hostId, generation: cmd.generation - 1, powerSince: at }, vm.power);
          await s.sink.record(tx, {
            at,
            kind: "vm-migration-failed",
            vmId: vm.id,
            hostId: cmd.hostId,
            message: `${vm.name} could not live-migrate: ${ack.error ?? "failed"}; it stays on ${ctx.hostName(cmd.hostId)}`,
          });
        });
        ctx.evalNeeded = true;
        ctx.capacityChanged = true;
      }
    }
  }
}

async function onStopAcked(ctx: HaContext, cmdId: string, hostId: string, vmId: string, generation: number, reason: TStopReason, ack: TCommandAck): Promise<void> {
  const at = ctx.at();
  ctx.stopsSent.delete(`${hostId}|${vmId}|${generation}`); // a copy seen again later gets a new stop
  const vm = await ctx.db.vm.findUnique({ where: { id: vmId }, select: { id: true, name: true, power: true, hostId: true, generation: true } });
  await ctx.tx(async (tx, s) => {
    {
      const blocked = await tx.agentCommand.findMany({ where: { status: "blocked", vmId } });
      for (const c of blocked) {
        const p = JSON.parse(c.payload) as TStartVmPayload;
        if (p.after === cmdId) {
          await releaseBlockedStart(tx, c, s.hint);
        }
      }
    }
    if (vm && (reason === "power-off" || reason === "maintenance") && vm.power === "stopping" && vm.hostId === hostId && vm.generation === generation) {
      await releaseHold(tx, vmId);
      await setPower(ctx, tx, vmId, "stopped", { hostId: null, powerSince: at }, vm.power);
    }
    await s.sink.record(tx, {
      at,
      kind: ack.status === "done" ? "vm-stopped" : "vm-stop-failed",
      vmId: vm ? vmId : null,
      hostId,
      incidentId: reason === "network-fault" || reason === "stale" ? (ctx.vmIncident.get(vmId) ?? null) : null,
      message: `${vm?.name ?? vmId} ${ack.status === "done" ? "stopped" : "did not stop"} on ${ctx.hostName(hostId)} (${reason})${ack.error ? `: ${ack.error}` : ""}`,
      data: { reason, generation },
    });
  });
  ctx.capacityChanged = true;
  ctx.evalNeeded = true;
}

export async function markRunning(ctx: HaContext, vmId: string, hostId: string, generation: number, via: "ack" | "heartbeat", acked?: TStartVmPayload): Promise<void> {
  const at = ctx.at();
  const cmd = acked
    ? null
    : await ctx.db.agentCommand.findFirst({
        where: { vmId, hostId, kind: "start-vm", generation },
        orderBy: { createdAt: "desc" },
      });
  const p = acked ?? (cmd ? (JSON.parse(cmd.payload) as TStartVmPayload) : null);
  const purpose = p?.purpose ?? "power-on";
  const incidentId = p?.incidentId ?? null;
  const inc = incidentId ? await incidentInfo(ctx, incidentId) : null;
  await ctx.tx(async (tx, s) => {
    const vm = await setPower(ctx, tx, vmId, "running", { powerSince: at }, "starting");
    if (cmd && via === "heartbeat" && cmd.status !== "done") await completeCommand(tx, cmd.id, "running (heartbeat)", at);
    const sinceDown = inc ? (at.getTime() - inc.openedAt.getTime()) / 1000 : null;
    await s.sink.record(tx, {
      at,
      kind: "vm-running",
      vmId,
      hostId,
      incidentId,
      message: `${vm.name} is running on ${ctx.hostName(hostId)}${sinceDown !== null ? ` (${sinceDown}s after the incident began)` : ""}`,
      data: { purpose, generation, via, sinceIncidentS: sinceDown },
    });
    const entity = { type: "vm" as const, id: vmId, name: vm.name };
    if (purpose === "ha" || purpose === "relocate") {
      await ctx.alerts.raise(tx, {
        kind: "HA_REBUILD_SUCCEEDED",
        entity,
        at,
        hostId: inc?.hostId ?? hostId,
        incidentId,
        repeat: true,
        message: `${vm.name} was rebuilt on ${ctx.hostName(hostId)}${inc?.hostId ? ` after the ${inc.kind} of ${ctx.hostName(inc.hostId)}` : ""}${sinceDown !== null ? ` in ${sinceDown}s` : ""}`,
      });
    }
    await ctx.alerts.clear(tx, "HA_REBUILD_FAILED", entity, at);
    await ctx.alerts.clear(tx, "LOCAL_REBUILD_FAILED", entity, at);
  });
  ctx.evalNeeded = true;
  settle(ctx, vmId);
  ctx.restartState.delete(vmId);
  if (incidentId) await maybeCloseIncident(ctx, incidentId);
}

/**
 * A start failed: retried once on the same host, then relocated. `unconfirmed`: no agent said it
 * failed (a report or a timeout did) — it may still be booting there, so a relocation stops it
 * there first (the new start waits for that stop's ack, or for the host to be declared failed).
 */
export async function handleStartFailure(ctx: HaContext, vmId: string, hostId: string, p: TStartVmPayload, error: string, unconfirmed = false): Promise<void> {
  const at = ctx.at();
  const incidentId = p.incidentId ?? null;
  const vm = await ctx.db.vm.findUniqueOrThrow({ where: { id: vmId } });
  await ctx.tx(async (tx, s) => {
    await s.sink.record(tx, {
      at,
      kind: "vm-start-failed",
      vmId,
      hostId,
      incidentId,
      message: `${vm.name} failed to start on ${ctx.hostName(hostId)} (attempt ${p.attempt}): ${error}`,
      data: { attempt: p.attempt, error, purpose: p.purpose, ...(unconfirmed ? { unconfirmed: true } : {}) },
    });
  });
  const next = await afterFailure(ctx, vmId, hostId);
  if (next.action === "give-up") {
    const st = ctx.hosts.get(hostId)?.state;
    await markError(ctx, vmId, next.why, incidentId, unconfirmed && (st === "online" || st === "maintenance") ? hostId : null);
    return;
  }
  if (next.action === "restart") {
    // Retry on the same target, same devices and generation.
    await ctx.tx(async (tx, s) => {
      await createCommand(ctx, tx, s, { hostId, vmId, kind: "start-vm", generation: vm.generation, payload: { ...p, attempt: p.attempt + 1, after: null } });
      await s.sink.record(tx, {
        at,
        kind: "vm-start-sent",
        vmId,
        hostId,
        incidentId,
        message: `${vm.name}: start retried on ${ctx.hostName(hostId)} (attempt ${p.attempt + 1})`,
        data: { attempt: p.attempt + 1 },
      });
    });
    return;
  }
  const avoid = [...new Set([...p.avoidHostIds, hostId])];
  if (p.purpose === "local-restart") {
    await ctx.tx(async (tx) => {
      await ctx.alerts.raise(tx, {
        kind: "LOCAL_REBUILD_FAILED",
        entity: { type: "vm", id: vmId, name: vm.name },
        at,
        hostId,
        incidentId,
        repeat: true,
        message: `${vm.name} could not be restarted on its own host ${ctx.hostName(hostId)}: ${error}; rebuilding it elsewhere`,
      });
    });
  }
  const st = ctx.hosts.get(hostId)?.state;
  const stopFirstOn = unconfirmed && (st === "online" || st === "maintenance") ? hostId : null;
  await relocate(ctx, vmId, avoid, incidentId, p.purpose === "power-on" || p.purpose === "maintenance-exit" ? p.purpose : "relocate", `start failed on ${ctx.hostName(hostId)}`, stopFirstOn);
}

/** Ask a host to stop one copy of a VM (stale generation, or one the store does not place there). */
export async function requestStop(ctx: HaContext, hostId: string, vmId: string, generation: number, reason: TStopReason, vmName: string, incidentId: string | null) {
  const key = `${hostId}|${vmId}|${generation}`;
  const now = ctx.clock.now();
  const last = ctx.stopsSent.get(key);
  if (last !== undefined && now - last < 10_000) return;
  ctx.stopsSent.set(key, now);
  const exists = await ctx.db.vm.findUnique({ where: { id: vmId }, select: { id: true } });
  const at = new Date(now);
  await ctx.tx(async (tx, s) => {
    if (exists) {
      await createCommand(ctx, tx, s, { hostId, vmId, kind: "stop-vm", generation, payload: { vmName, reason, incidentId } });
    }
    await s.sink.record(tx, {
      at,
      kind: "stale-copy-stop-sent",
      hostId,
      vmId: exists ? vmId : null,
      incidentId,
      message: `${ctx.hostName(hostId)} runs ${vmName} (generation ${generation}) although the store places it elsewhere: told to stop it`,
      data: { generation, reason },
    });
  });
}
