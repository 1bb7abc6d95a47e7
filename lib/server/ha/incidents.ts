import "server-only";
// Incidents as the controller follows them: which VMs of an incident are still on their way
// (memory), the incident a VM's recovery belongs to, and closing an incident once none of its
// VMs is (the store decides: pending, starting, stopping, migrating or a start waiting on a stop).
import { summarizeRebuildReasons } from "./alerts-text";
import { chunked, type HaContext } from "./context";

export async function incidentFor(ctx: HaContext, vmId: string): Promise<string | null> {
  const known = ctx.vmIncident.get(vmId);
  if (known) {
    const inc = await ctx.db.incident.findUnique({ where: { id: known }, select: { status: true } });
    if (inc?.status === "open") return known;
  }
  const ev = await ctx.db.event.findFirst({
    where: { vmId, incidentId: { not: null }, incident: { status: "open" } },
    orderBy: { at: "desc" },
    select: { incidentId: true },
  });
  return ev?.incidentId ?? null;
}

export function rebuildFailedMessage(ctx: HaContext, name: string, reasons: string[]): string {
  return `${name} could not be rebuilt on any host: ${summarizeRebuildReasons(reasons, { hostNames: [...ctx.hosts.values()].map((h) => h.name) })}`;
}

/** Immutable facts of an incident (cached). */
export async function incidentInfo(ctx: HaContext, id: string): Promise<{ id: string; seq: number; kind: string; hostId: string | null; openedAt: Date } | null> {
  const hit = ctx.incidents.get(id);
  if (hit) return hit;
  const row = await ctx.db.incident.findUnique({ where: { id }, select: { id: true, seq: true, kind: true, hostId: true, openedAt: true } });
  if (row) ctx.incidents.set(id, row);
  return row;
}

/** A VM of an incident is in flight again (placed, waiting). */
export function track(ctx: HaContext, incidentId: string | null, vmId: string): void {
  if (!incidentId) return;
  const set = ctx.inflight.get(incidentId) ?? new Set<string>();
  set.add(vmId);
  ctx.inflight.set(incidentId, set);
}

/** A VM came to rest (running, or given up). */
export function settle(ctx: HaContext, vmId: string): void {
  for (const set of ctx.inflight.values()) set.delete(vmId);
}

/**
 * Closes an incident when none of its VMs is still on its way (pending, starting, stopping,
 * migrating, or waiting behind a stop). `force` re-checks the store whatever memory says.
 */
export async function maybeCloseIncident(ctx: HaContext, incidentId: string, force = false): Promise<void> {
  const mem = ctx.inflight.get(incidentId);
  if (!force && mem && mem.size > 0) return;
  const inc = await ctx.db.incident.findUnique({ where: { id: incidentId } });
  if (!inc || inc.status !== "open") {
    ctx.inflight.delete(incidentId);
    return;
  }
  if (inc.kind !== "vm-crash" && !inc.failedAt) return;
  if (inc.hostId && (ctx.hosts.get(inc.hostId)?.failoverDue ?? null) !== null) return; // its failover is still to be planned
  const evs = await ctx.db.event.findMany({ where: { incidentId, vmId: { not: null } }, select: { vmId: true }, distinct: ["vmId"] });
  const vmIds = evs.map((e) => e.vmId!);
  let active = 0;
  for (const part of chunked(vmIds)) active += await ctx.db.vm.count({ where: { id: { in: part }, power: { in: ["pending", "starting", "stopping", "migrating"] } } });
  if (active > 0) return;
  let blocked = 0;
  for (const part of chunked(vmIds)) blocked += await ctx.db.agentCommand.count({ where: { vmId: { in: part }, status: "blocked" } });
  if (blocked > 0) return;
  const at = ctx.at();
  let running = 0;
  for (const part of chunked(vmIds)) running += await ctx.db.vm.count({ where: { id: { in: part }, power: "running" } });
  await ctx.tx(async (tx, s) => {
    await tx.incident.update({
      where: { id: incidentId },
      data: { status: "closed", closedAt: at, summary: `${running} of ${vmIds.length} VMs running again` },
    });
    await s.sink.record(tx, {
      at,
      kind: "incident-closed",
      hostId: inc.hostId,
      incidentId,
      message: `Incident ${inc.seq} closed: ${running} of ${vmIds.length} VMs running again`,
      data: { durationS: (at.getTime() - inc.openedAt.getTime()) / 1000 },
    });
  });
  for (const h of ctx.hosts.values()) if (h.incidentId === incidentId) h.incidentId = null;
  ctx.inflight.delete(incidentId);
}

