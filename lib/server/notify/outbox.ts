import "server-only";
// The notification outbox (issue 14): rows written IN THE TRANSACTION that opens, resolves or
// reminds of an alert, so a notification exists exactly when its alert change was committed — a
// crash can lose neither. lib/server/ha/alerts.ts calls these; the sender (./sender.ts) delivers.
//
// One row per (alert episode, channel, event): `dedupeKey` is unique, so a repeat of an open alert
// (same episode) never writes a second `raised` row, and two writers of the same reminder collide
// on the key instead of sending twice.
import type { Prisma, PrismaClient } from "@prisma/client";
import { gpuTag, vgpuTag } from "@/lib/engine/tags";
import type { GpuMode } from "@/lib/engine";

type Tx = PrismaClient | Prisma.TransactionClient;

export type NotifyEvent = "raised" | "reminder" | "resolved" | "test";

/** What a notification says of its alert: the alert as it was when the row was written. */
export interface AlertSnapshot {
  id: string;
  kind: string;
  severity: string;
  status: string;
  entity: { type: string; id: string; name: string };
  hostId: string | null;
  vmId: string | null;
  incidentId: string | null;
  message: string;
  count: number;
  raisedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface NotificationPayload {
  event: NotifyEvent;
  /** The reminder's number (1, 2, …); 0 otherwise. */
  reminder: number;
  alert: AlertSnapshot;
}

type AlertRow = {
  id: string;
  kind: string;
  severity: string;
  status: string;
  entityType: string;
  entityId: string;
  entityName: string;
  hostId: string | null;
  vmId: string | null;
  incidentId: string | null;
  message: string;
  count: number;
  raisedAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
};

export function snapshotOf(a: AlertRow): AlertSnapshot {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    entity: { type: a.entityType, id: a.entityId, name: a.entityName },
    hostId: a.hostId,
    vmId: a.vmId,
    incidentId: a.incidentId,
    message: a.message,
    count: a.count,
    raisedAt: a.raisedAt.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
    resolvedBy: a.resolvedBy,
  };
}

export interface ChannelRoute {
  kinds: string[];
  severities: string[];
  tags: string[];
  hosts: string[];
}

function parseList(s: string): string[] {
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function routeOf(ch: { kinds: string; severities: string; tags: string; hosts: string }): ChannelRoute {
  return { kinds: parseList(ch.kinds), severities: parseList(ch.severities), tags: parseList(ch.tags), hosts: parseList(ch.hosts) };
}

/** What a route can match an alert on besides kind and severity: its host's name and the device tags involved. */
export interface AlertScope {
  hostName: string | null;
  tags: Set<string>;
}

/** Whether an alert goes to a channel: every non-empty part of the route must match (empty = any). */
export function routeMatches(route: ChannelRoute, a: { kind: string; severity: string }, scope: () => AlertScope): boolean {
  if (route.kinds.length && !route.kinds.includes(a.kind)) return false;
  if (route.severities.length && !route.severities.includes(a.severity)) return false;
  if (!route.hosts.length && !route.tags.length) return true;
  const s = scope();
  if (route.hosts.length && !(s.hostName && route.hosts.includes(s.hostName))) return false;
  if (route.tags.length && !route.tags.some((t) => s.tags.has(t))) return false;
  return true;
}

/**
 * The host name and device tags an alert concerns: a VM's requested tags (and its host), a host's
 * GPU/vGPU/VF tags. Read only when some channel routes on tags or hosts.
 */
async function alertScope(tx: Tx, a: AlertRow): Promise<AlertScope> {
  const tags = new Set<string>();
  const hostId = a.hostId ?? (a.entityType === "host" ? a.entityId : null);
  if (a.vmId) for (const r of await tx.deviceRequest.findMany({ where: { vmId: a.vmId }, select: { tag: true } })) if (r.tag) tags.add(r.tag);
  let hostName: string | null = a.entityType === "host" ? a.entityName : null;
  if (hostId) {
    const h = await tx.host.findUnique({
      where: { id: hostId },
      select: { name: true, gpus: { select: { model: true, mode: true, vgpuProfile: true } }, nics: { select: { tag: true } } },
    });
    if (h) {
      hostName = h.name;
      if (a.entityType === "host") {
        for (const g of h.gpus) tags.add(g.vgpuProfile ? vgpuTag(g.model, g.mode as GpuMode, g.vgpuProfile) : gpuTag(g.model, g.mode as GpuMode));
        for (const n of h.nics) if (n.tag) tags.add(n.tag);
      }
    }
  }
  return { hostName, tags };
}

/** An alert episode opened: one `raised` row for every enabled channel whose route takes it. */
export async function enqueueRaised(tx: Tx, alert: AlertRow, at: Date): Promise<number> {
  const channels = await tx.notificationChannel.findMany({ where: { enabled: true }, select: { id: true, kinds: true, severities: true, tags: true, hosts: true } });
  if (!channels.length) return 0;
  let scope: AlertScope | null = null;
  const payload = JSON.stringify({ event: "raised", reminder: 0, alert: snapshotOf(alert) } satisfies NotificationPayload);
  let n = 0;
  for (const ch of channels) {
    // The scope is read inside the transaction, once, only if a route needs it.
    const route = routeOf(ch);
    if ((route.hosts.length || route.tags.length) && !scope) scope = await alertScope(tx, alert);
    if (!routeMatches(route, alert, () => scope!)) continue;
    await tx.notification.create({
      data: { channelId: ch.id, alertId: alert.id, event: "raised", dedupeKey: `${alert.id}|${ch.id}|raised`, payload, nextAttemptAt: at, createdAt: at },
    });
    n++;
  }
  return n;
}

/** An alert was resolved: a `resolved` row for each channel that was told it was raised (and wants resolutions). */
export async function enqueueResolved(tx: Tx, alertId: string, at: Date): Promise<number> {
  const told = await tx.notification.findMany({ where: { alertId, event: "raised" }, select: { channelId: true, channel: { select: { enabled: true, sendResolved: true } } } });
  const channels = told.filter((t) => t.channel.enabled && t.channel.sendResolved).map((t) => t.channelId);
  if (!channels.length) return 0;
  const alert = await tx.alert.findUnique({ where: { id: alertId } });
  if (!alert) return 0;
  const payload = JSON.stringify({ event: "resolved", reminder: 0, alert: snapshotOf(alert) } satisfies NotificationPayload);
  let n = 0;
  for (const channelId of channels) {
    const dedupeKey = `${alertId}|${channelId}|resolved`;
    if (await tx.notification.findUnique({ where: { dedupeKey }, select: { id: true } })) continue;
    await tx.notification.create({ data: { channelId, alertId, event: "resolved", dedupeKey, payload, nextAttemptAt: at, createdAt: at } });
    n++;
  }
  return n;
}

/**
 * Reminders of open (unacknowledged) critical alerts, for channels with a reminder interval that
 * were told of them: a new `reminder` row once the interval has passed since the last row sent
 * for that alert and channel. Written by the sender's loop; the unique key keeps two writers from
 * writing the same reminder.
 */
export async function enqueueReminders(db: PrismaClient, now: Date): Promise<number> {
  const channels = await db.notificationChannel.findMany({ where: { enabled: true, reminderS: { not: null } }, select: { id: true, reminderS: true } });
  if (!channels.length) return 0;
  let n = 0;
  for (const ch of channels) {
    const told = await db.notification.findMany({
      where: { channelId: ch.id, event: "raised", alertId: { not: null } },
      select: { alertId: true },
      orderBy: { createdAt: "desc" },
      take: 500,
    });
    const ids = told.map((t) => t.alertId!);
    if (!ids.length) continue;
    const open = await db.alert.findMany({ where: { id: { in: ids }, status: "open", severity: "critical" } });
    for (const alert of open) {
      const rows = await db.notification.findMany({ where: { channelId: ch.id, alertId: alert.id, event: { in: ["raised", "reminder"] } }, select: { createdAt: true, event: true } });
      const last = Math.max(...rows.map((r) => r.createdAt.getTime()));
      if (now.getTime() - last < ch.reminderS! * 1000) continue;
      const seq = rows.filter((r) => r.event === "reminder").length + 1;
      const payload = JSON.stringify({ event: "reminder", reminder: seq, alert: snapshotOf(alert) } satisfies NotificationPayload);
      try {
        await db.notification.create({
          data: { channelId: ch.id, alertId: alert.id, event: "reminder", dedupeKey: `${alert.id}|${ch.id}|reminder|${seq}`, payload, nextAttemptAt: now, createdAt: now },
        });
        n++;
      } catch (e) {
        if (!/unique|P2002/i.test(String((e as { code?: string }).code ?? (e as Error).message))) throw e;
      }
    }
  }
  return n;
}
