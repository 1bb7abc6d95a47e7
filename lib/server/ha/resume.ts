import "server-only";
// Restart safety: everything needed to resume is in the store. load() reads it when a controller
// starts (host states and since, open incidents and their countdowns, hosts whose failover is
// still due, commands marked sent whose reply may be lost, alerts, redirected storage sessions)
// and finishes acknowledgements a previous controller recorded but did not apply. resyncIfDue()
// re-reads the inventory every 15 s (hosts and alerts edited elsewhere, incidents to close,
// starts an agent never confirmed).
import type { TStartVmPayload } from "@/lib/schemas/agent";
import { RESYNC_MS, type HaContext } from "./context";
import { releaseBlockedStart, resendUnacknowledged } from "./executor";
import { applyAck } from "./acks";
import { checkLostStart } from "./reconcile";
import { maybeCloseIncident } from "./incidents";

/** Loads the store's state (idempotent). Liveness starts now: a grace of one missed window. */
export async function load(ctx: HaContext): Promise<void> {
  if (ctx.loaded) return;
  const now = ctx.clock.now();
  const cluster = await ctx.db.cluster.findFirst({ orderBy: { createdAt: "asc" } });
  if (cluster) {
    ctx.clusterId = cluster.id;
    ctx.haMode = cluster.haMode;
    ctx.faultTolerance = cluster.faultTolerance;
    ctx.policy = {
      maxRestarts: cluster.restartMaxRestarts,
      maxRelocations: cluster.restartMaxRelocations,
      maintenanceRebuildAfterMs: cluster.maintenanceRebuildAfterS !== null ? cluster.maintenanceRebuildAfterS * 1000 : null,
    };
    ctx.timing = {
      heartbeatMs: cluster.heartbeatS * 1000,
      missed: cluster.missedHeartbeats,
      failureTimeoutMs: cluster.failureTimeoutS * 1000,
      isolationTimeoutMs: cluster.isolationTimeoutS * 1000,
      vmStartMs: cluster.vmStartS * 1000,
    };
  }
  ctx.startedAt = now;
  ctx.lastObserved = now;
  await ctx.reloadHosts();
  const incidents = await ctx.db.incident.findMany({ where: { status: "open" }, orderBy: { seq: "asc" } });
  for (const inc of incidents) {
    const h = inc.hostId ? ctx.hosts.get(inc.hostId) : undefined;
    if (!h) continue;
    if (inc.kind === "host-failure" || inc.kind === "isolation") h.incidentId = inc.id;
    if (inc.kind === "network-fault")
      h.netFault = { since: (inc.detectedAt ?? inc.openedAt).getTime(), incidentId: inc.id, triggered: inc.failedAt !== null };
  }
  for (const h of ctx.hosts.values()) {
    if (h.state === "failed" || h.netFault?.triggered) ctx.setFailoverDue(h.id);
  }
  // At-least-once delivery across a restart: a start or stop marked sent whose reply may have
  // been lost with the previous process goes out again (agents ignore a start they already run
  // at that generation and answer a stop of a stopped VM with done; acking twice changes nothing).
  await resendUnacknowledged(ctx.db);
  const pending = await ctx.db.agentCommand.findMany({ where: { status: "pending" }, select: { hostId: true }, distinct: ["hostId"] });
  for (const c of pending) ctx.commandHints.add(c.hostId);
  await ctx.alerts.reload(ctx.db);
  const sessions = await ctx.db.storageSession.findMany({ select: { vmId: true, controllerHostId: true, vm: { select: { hostId: true } } } });
  for (const x of sessions) if (x.vm.hostId && x.controllerHostId !== x.vm.hostId) ctx.redirectedVms.add(x.vmId);
  ctx.lastResync = now;
  ctx.capacityChanged = true;
  ctx.evalNeeded = true;
  ctx.loaded = true;
  await resumeAcknowledged(ctx);
}

/**
 * Acks recorded in the store whose effect a previous controller did not apply before it stopped
 * (the ack row is written first): finish them now, so nothing an agent acknowledged is lost.
 */
async function resumeAcknowledged(ctx: HaContext): Promise<void> {
  const vms = await ctx.db.vm.findMany({ where: { power: { in: ["stopping", "migrating", "starting"] } }, select: { id: true, power: true, hostId: true, generation: true } });
  for (const vm of vms) {
    const kind = vm.power === "stopping" ? "stop-vm" : vm.power === "migrating" ? "migrate-vm" : "start-vm";
    const cmd = await ctx.db.agentCommand.findFirst({ where: { vmId: vm.id, kind }, orderBy: { createdAt: "desc" } });
    if (!cmd || (cmd.status !== "done" && cmd.status !== "failed") || cmd.generation !== vm.generation) continue;
    if (kind === "start-vm" && cmd.hostId !== vm.hostId) continue;
    const st = ctx.hosts.get(cmd.hostId)?.state;
    if (st !== "online" && st !== "maintenance") continue; // the failover of that host takes over
    ctx.log.info({ vmId: vm.id, commandId: cmd.id, kind }, "applying an acknowledgement recorded before the restart");
    await applyAck(ctx, cmd.id, { hostId: cmd.hostId, commandId: cmd.id, status: cmd.status as "done" | "failed", error: cmd.result ?? undefined });
  }
  const blocked = await ctx.db.agentCommand.findMany({ where: { status: "blocked" } });
  for (const c of blocked) {
    const p = JSON.parse(c.payload) as TStartVmPayload;
    const stop = p.after ? await ctx.db.agentCommand.findUnique({ where: { id: p.after }, select: { status: true } }) : null;
    if (!stop || stop.status === "done" || stop.status === "failed") {
      await releaseBlockedStart(ctx.db, c, (hostId) => ctx.commandHints.add(hostId));
    }
  }
}


/** Every RESYNC_MS (or when told the inventory changed): the store is read again. */
export async function resyncIfDue(ctx: HaContext, now: number): Promise<void> {
  if (now - ctx.lastResync < (ctx.deps.resyncMs ?? RESYNC_MS)) return;
  ctx.lastResync = now;
  await ctx.reloadHosts();
  await ctx.alerts.reload(ctx.db);
  ctx.evalNeeded = true;
  if ((await ctx.db.vm.count({ where: { power: "pending" } })) > 0) ctx.capacityChanged = true;
  for (const inc of await ctx.db.incident.findMany({ where: { status: "open" }, select: { id: true } })) await maybeCloseIncident(ctx, inc.id, true);
  // Starts taken by an agent that never answered (nor reports the VM) within boot time + a minute.
  const stale = await ctx.db.agentCommand.findMany({
    where: { kind: "start-vm", status: "sent", sentAt: { lt: new Date(now - ctx.timing.vmStartMs - 60_000) } },
    select: { vmId: true, hostId: true, generation: true },
  });
  for (const c of stale) {
    const h = ctx.hosts.get(c.hostId);
    const vm = c.vmId ? await ctx.db.vm.findUnique({ where: { id: c.vmId }, select: { power: true, hostId: true, generation: true } }) : null;
    if (!h || h.state !== "online" || !vm || vm.power !== "starting" || vm.hostId !== c.hostId || vm.generation !== c.generation) continue;
    if (h.report?.vms.has(c.vmId!)) continue;
    await checkLostStart(ctx, c.vmId!, c.hostId, c.generation, "the agent never confirmed the start", true);
  }
}
