import "server-only";
// Agent reports, reconciled with the store: NIC links (bond degraded / down → the network-fault
// countdown), the storage controller, and VMs — running confirmations, crashes (the restart
// policy: restarted in place, relocated, or given up), copies the store places elsewhere (told to
// stop), starts the host lost, VMs the store does not know (one event per episode).
import { planLocalRestart } from "@/lib/engine";
import type { TStartVmPayload } from "@/lib/schemas/agent";
import { openIncident } from "./journal";
import { chunked, UNKNOWN_VMS_EVENT_MIN_MS, UNKNOWN_VMS_LISTED, type HaContext, type HostMem } from "./context";
import { applyPlacement, failCommand, markPending, markStopped } from "./executor";
import { evaluateBonds } from "./host-states";
import { handleStartFailure, markRunning, requestStop } from "./acks";
import { afterFailure, markError } from "./restart-policy";
import { relocate } from "./failover";
import { maybeCloseIncident } from "./incidents";

export async function reconcileReport(ctx: HaContext, h: HostMem): Promise<void> {
  const rep = h.report;
  if (!rep) return;
  const at = ctx.at();
  // NIC links.
  const changedNics = h.nics.filter((n) => rep.nics.has(n.name) && rep.nics.get(n.name) !== n.linkUp);
  if (changedNics.length) {
    await ctx.tx(async (tx, s) => {
      for (const n of changedNics) {
        const up = rep.nics.get(n.name)!;
        await tx.nic.update({ where: { id: n.id }, data: { linkUp: up } });
        await s.sink.record(tx, {
          at,
          kind: up ? "nic-up" : "nic-down",
          hostId: h.id,
          message: `${h.name}/${n.name} link ${up ? "up" : "down"}`,
          data: { nic: n.name, role: n.role, bond: n.bond },
        });
        n.linkUp = up;
      }
    });
    await evaluateBonds(ctx, h);
    ctx.capacityChanged = true;
    ctx.evalNeeded = true;
  }
  // Storage controller.
  if (rep.storageHealthy !== undefined && rep.storageHealthy !== h.storageHealthy) {
    const healthy = rep.storageHealthy;
    await ctx.tx(async (tx, s) => {
      await tx.host.update({ where: { id: h.id }, data: { storageControllerHealthy: healthy } });
      await s.sink.record(tx, {
        at,
        kind: healthy ? "storage-controller-up" : "storage-controller-down",
        hostId: h.id,
        message: `The storage controller on ${h.name} is ${healthy ? "back" : "down"}`,
      });
    });
    h.storageHealthy = healthy;
    ctx.evalNeeded = true;
  }
  await reconcileVms(ctx, h);
}

async function reconcileVms(ctx: HaContext, h: HostMem): Promise<void> {
  const rep = h.report!;
  const onHost = await ctx.db.vm.findMany({
    where: { hostId: h.id },
    select: { id: true, name: true, power: true, generation: true, hostId: true },
  });
  const byId = new Map(onHost.map((v) => [v.id, v]));
  const elsewhereIds = [...rep.vms.keys()].filter((id) => !byId.has(id));
  const elsewhere = [];
  for (const part of chunked(elsewhereIds)) {
    elsewhere.push(...(await ctx.db.vm.findMany({ where: { id: { in: part } }, select: { id: true, name: true, power: true, generation: true, hostId: true } })));
  }
  const known = new Map(elsewhere.map((v) => [v.id, v]));
  const unknown: { vmId: string; generation: number }[] = [];
  for (const [vmId, r] of rep.vms) {
    const vm = byId.get(vmId) ?? known.get(vmId);
    if (!vm) {
      unknown.push({ vmId, generation: r.generation });
      continue;
    }
    if (vm.hostId === h.id && vm.generation === r.generation) {
      if (vm.power === "starting" && r.state === "running") await markRunning(ctx, vm.id, h.id, r.generation, "heartbeat");
      continue;
    }
    if (vm.power === "migrating" && vm.generation === r.generation + 1) continue; // live migration in flight
    await requestStop(ctx, h.id, vmId, r.generation, "stale", vm.name, null);
  }
  await noteUnknownVms(ctx, h, unknown);
  h.recheckStarts = false;
  for (const vm of onHost) {
    if (vm.power === "running" && !rep.vms.has(vm.id)) await handleCrash(ctx, vm.id, h);
    else if (vm.power === "starting" && !rep.vms.has(vm.id)) await checkLostStart(ctx, vm.id, h.id, vm.generation, "the host does not report it (it lost the VM while starting)");
  }
}

/**
 * VMs a host reports that the store does not know (nothing to stop: no such VM). Recorded once
 * per episode — one event per host listing the first UNKNOWN_VMS_LISTED ids and the count —
 * while its reports keep listing some; a new episode at most every UNKNOWN_VMS_EVENT_MIN_MS.
 */
async function noteUnknownVms(ctx: HaContext, h: HostMem, unknown: { vmId: string; generation: number }[]): Promise<void> {
  const now = ctx.clock.now();
  const ep = h.unknownVms;
  if (!unknown.length) {
    if (ep) ep.open = false;
    return;
  }
  if (ep && (ep.open || now - ep.eventAt < UNKNOWN_VMS_EVENT_MIN_MS)) {
    ep.open = true;
    return;
  }
  h.unknownVms = { open: true, eventAt: now };
  const shown = unknown.slice(0, UNKNOWN_VMS_LISTED);
  const more = unknown.length - shown.length;
  ctx.log.warn({ hostId: h.id, host: h.name, count: unknown.length, vmIds: shown.map((u) => u.vmId) }, "host reports VMs the console does not know");
  await ctx.tx(async (tx, s) => {
    await s.sink.record(tx, {
      at: new Date(now),
      kind: "unknown-vms-reported",
      hostId: h.id,
      message: `${h.name} reports ${unknown.length} VM${unknown.length === 1 ? "" : "s"} the console does not know: ${shown.map((u) => u.vmId).join(", ")}${more > 0 ? ` … and ${more} more` : ""} (recorded once while it keeps reporting them)`,
      data: { count: unknown.length, vms: shown, more },
    });
  });
}

/**
 * A start the agent took (command sent) but neither reports nor acknowledged: the host lost it
 * (power cycle, agent restart). It counts as a failed start: retried, then relocated — but only
 * on a report taken after the agent received the command (`force`: the boot time + a minute has
 * passed without a word from the agent), never on a report built before it fetched the command.
 */
export async function checkLostStart(ctx: HaContext, vmId: string, hostId: string, generation: number, why: string, force = false): Promise<void> {
  const cmd = await ctx.db.agentCommand.findFirst({ where: { vmId, hostId, kind: "start-vm", generation, status: "sent" }, orderBy: { createdAt: "desc" } });
  if (!cmd) return;
  const h = ctx.hosts.get(hostId);
  if (!force && h && !reportAfterFetch(ctx, h, cmd.id, cmd.sentAt?.getTime() ?? null)) {
    h.recheckStarts = true; // the next heartbeat decides
    return;
  }
  await failCommand(ctx.db, cmd.id, why, ctx.at());
  await handleStartFailure(ctx, vmId, hostId, JSON.parse(cmd.payload) as TStartVmPayload, why, true);
}

/**
 * Whether the host's latest report was taken after its agent received command `cmdId` (marked
 * sent at `sentAt`): the agent lists it in `commandsSeen`; or it restarted since it fetched it
 * (seq went down); or, from an agent that does not echo, its seq is two past the one the console
 * had at the fetch (the heartbeat in flight then may have been built before it); or, with no
 * record of the fetch (another controller instance handed it out), two heartbeat intervals have
 * passed since it was sent.
 */
function reportAfterFetch(ctx: HaContext, h: HostMem, cmdId: string, sentAt: number | null): boolean {
  if (h.seen?.has(cmdId)) return true;
  let mark: HostMem["fetches"][number] | undefined;
  if (sentAt !== null) for (const f of h.fetches) if (f.at <= sentAt) mark = f;
  if (mark) {
    if (h.hbRun > mark.run) return true;
    if (h.seen) return false; // it echoes what it received and does not list this one: built before
    if (mark.seq !== null) return h.hbSeq !== null && h.hbSeq >= mark.seq + 2;
  }
  return sentAt !== null && h.heard >= sentAt + 2 * ctx.timing.heartbeatMs;
}


async function handleCrash(ctx: HaContext, vmId: string, h: HostMem): Promise<void> {
  const at = ctx.at();
  const vm = await ctx.db.vm.findUniqueOrThrow({ where: { id: vmId } });
  const incidentId = await ctx.tx(async (tx, s) => {
    const inc = await openIncident(tx, { clusterId: ctx.clusterId, kind: "vm-crash", hostId: h.id, openedAt: at, detectedAt: at, failedAt: at });
    await s.sink.record(tx, {
      at,
      kind: "vm-crashed",
      vmId,
      hostId: h.id,
      incidentId: inc.id,
      message: `${vm.name} stopped running on ${h.name} without being asked to`,
      data: { generation: vm.generation },
    });
    return inc.id;
  });
  if (vm.haPriority === "off" || ctx.haMode === "disabled") {
    const snap = await ctx.snapshot();
    await ctx.tx((tx, s) => markStopped(ctx, tx, s, snap, vmId, "HA priority is off or HA is disabled: not restarted", incidentId));
    await maybeCloseIncident(ctx, incidentId);
    return;
  }
  const next = await afterFailure(ctx, vmId, h.id);
  if (next.action === "give-up") {
    await markError(ctx, vmId, next.why, incidentId, null);
    await maybeCloseIncident(ctx, incidentId);
    return;
  }
  if (next.action === "relocate") {
    await relocate(ctx, vmId, [h.id], incidentId, "relocate", `${vm.name} crashed on ${h.name}; its restart policy allows no further restart there`);
    return;
  }
  const snap = await ctx.snapshot();
  const out = planLocalRestart(snap, vmId);
  if (out.kind === "placed" && out.hostId === h.id) {
    await ctx.tx((tx, s) => applyPlacement(ctx, tx, s, snap, out, { purpose: "local-restart", incidentId, attempt: 1, avoid: [] }));
    return;
  }
  const why = out.reasons.join("; ");
  await ctx.tx(async (tx) => {
    await ctx.alerts.raise(tx, {
      kind: "LOCAL_REBUILD_FAILED",
      entity: { type: "vm", id: vmId, name: vm.name },
      at,
      hostId: h.id,
      incidentId,
      repeat: true,
      message: `${vm.name} cannot be restarted on ${h.name}: ${why}`,
    });
  });
  if (out.kind === "placed") await ctx.tx((tx, s) => applyPlacement(ctx, tx, s, snap, out, { purpose: "relocate", incidentId, attempt: 1, avoid: [h.id] }));
  else await ctx.tx((tx, s) => markPending(ctx, tx, s, snap, vmId, out.reasons, { incidentId, failedHostId: h.id, alert: true }));
}

