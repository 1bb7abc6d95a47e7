import "server-only";
import type { Prisma } from "@prisma/client";
import { getDb, type Db } from "@/lib/server/db";
import { enumParam, pageOf, pageParams, param, skipTake, type Page, type SearchParams } from "./params";

export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;
/** The list's status filter: "active" (open + acknowledged, the default) or one status, or all. */
export const ALERT_STATUS_FILTERS = ["active", ...ALERT_STATUSES, "all"] as const;

export interface AlertListQuery {
  status: (typeof ALERT_STATUS_FILTERS)[number];
  severity?: (typeof ALERT_SEVERITIES)[number];
  q?: string;
  page: number;
  pageSize: number;
}

export function parseAlertListQuery(sp: SearchParams): AlertListQuery {
  return {
    status: enumParam(sp, "status", ALERT_STATUS_FILTERS) ?? "active",
    severity: enumParam(sp, "severity", ALERT_SEVERITIES),
    q: param(sp, "q"),
    ...pageParams(sp),
  };
}

/** Longest message a list shows (an engine explanation can list every host). */
export const MESSAGE_MAX = 400;

export function clip(message: string, max = MESSAGE_MAX): string {
  return message.length > max ? `${message.slice(0, max - 1)}…` : message;
}

export interface AlertRow {
  id: string;
  kind: string;
  severity: string;
  status: string;
  entityType: string;
  entityId: string;
  entityName: string;
  /** Set when the entity still exists (for a link). */
  hostId: string | null;
  vmId: string | null;
  incident: { id: string; seq: number } | null;
  /** The message, clipped to MESSAGE_MAX characters for the list. */
  message: string;
  messageClipped: boolean;
  count: number;
  raisedAt: string;
  lastSeenAt: string;
  ackAt: string | null;
  ackBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** One page of alerts, newest first; critical before warning before info at the same time. */
export async function listAlerts(query: AlertListQuery, db: Db = getDb()): Promise<Page<AlertRow>> {
  const and: Prisma.AlertWhereInput[] = [];
  if (query.status === "active") and.push({ status: { in: ["open", "acknowledged"] } });
  else if (query.status !== "all") and.push({ status: query.status });
  if (query.severity) and.push({ severity: query.severity });
  if (query.q) and.push({ OR: [{ message: { contains: query.q } }, { entityName: { contains: query.q } }, { kind: { contains: query.q } }] });
  const where: Prisma.AlertWhereInput = and.length ? { AND: and } : {};
  // Two steps: order and cut the page on (id, raisedAt) only, then load the page's rows. Sorting
  // narrow rows keeps the page fast when there are many alerts with long messages.
  const [total, pageIds] = await Promise.all([
    db.alert.count({ where }),
    db.alert.findMany({ where, orderBy: [{ raisedAt: "desc" }, { id: "asc" }], ...skipTake(query.page, query.pageSize), select: { id: true } }),
  ]);
  const order = new Map(pageIds.map((a, i) => [a.id, i]));
  const alerts = pageIds.length
    ? (
        await db.alert.findMany({ where: { id: { in: pageIds.map((a) => a.id) } }, include: { incident: { select: { id: true, seq: true } } } })
      ).sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    : [];
  // Links only to entities that still exist.
  const hostIds = [...new Set(alerts.map((a) => a.hostId ?? (a.entityType === "host" ? a.entityId : null)).filter((x): x is string => !!x))];
  const vmIds = [...new Set(alerts.map((a) => a.vmId ?? (a.entityType === "vm" ? a.entityId : null)).filter((x): x is string => !!x))];
  const [hosts, vms] = await Promise.all([
    hostIds.length ? db.host.findMany({ where: { id: { in: hostIds } }, select: { id: true } }) : [],
    vmIds.length ? db.vm.findMany({ where: { id: { in: vmIds } }, select: { id: true } }) : [],
  ]);
  const hostSet = new Set(hosts.map((h) => h.id));
  const vmSet = new Set(vms.map((v) => v.id));
  const rows = alerts.map((a): AlertRow => {
    const hostId = a.hostId ?? (a.entityType === "host" ? a.entityId : null);
    const vmId = a.vmId ?? (a.entityType === "vm" ? a.entityId : null);
    return {
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      status: a.status,
      entityType: a.entityType,
      entityId: a.entityId,
      entityName: a.entityName,
      hostId: hostId && hostSet.has(hostId) ? hostId : null,
      vmId: vmId && vmSet.has(vmId) ? vmId : null,
      incident: a.incident,
      message: clip(a.message),
      messageClipped: a.message.length > MESSAGE_MAX,
      count: a.count,
      raisedAt: a.raisedAt.toISOString(),
      lastSeenAt: a.lastSeenAt.toISOString(),
      ackAt: a.ackAt?.toISOString() ?? null,
      ackBy: a.ackBy,
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
      resolvedBy: a.resolvedBy,
    };
  });
  return pageOf(rows, total, query.page, query.pageSize);
}

/** Alert counts by status (the alert list's tabs). */
export async function countAlertsByStatus(db: Db = getDb()): Promise<Record<string, number>> {
  const g = await db.alert.groupBy({ by: ["status"], _count: { _all: true } });
  return Object.fromEntries(g.map((x) => [x.status, x._count._all]));
}
