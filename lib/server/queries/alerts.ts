import "server-only";
import type { Alert, Prisma } from "@prisma/client";
import { getDb, type Db } from "@/lib/server/db";
import { plainText } from "@/lib/display/text";
import { resolveTextRefs, type TextRefs } from "./text-refs";
import { enumParam, pageOf, pageParams, param, skipTake, type Page, type SearchParams } from "./params";

export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;
/** The list's status filter: "active" (open + acknowledged, the default) or one status, or all. */
export const ALERT_STATUS_FILTERS = ["active", ...ALERT_STATUSES, "all"] as const;

export interface AlertListQuery {
  status: (typeof ALERT_STATUS_FILTERS)[number];
  severity?: (typeof ALERT_SEVERITIES)[number];
  kind?: string;
  hostId?: string;
  /** A VM's id, or part of its name. */
  vm?: string;
  incidentId?: string;
  q?: string;
  page: number;
  pageSize: number;
}

export function parseAlertListQuery(sp: SearchParams): AlertListQuery {
  return {
    status: enumParam(sp, "status", ALERT_STATUS_FILTERS) ?? "active",
    severity: enumParam(sp, "severity", ALERT_SEVERITIES),
    kind: param(sp, "kind"),
    hostId: param(sp, "host"),
    vm: param(sp, "vm"),
    incidentId: param(sp, "incident"),
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
  hostName: string | null;
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
  ackNote: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** The host an alert is about: its host link, else its entity when that is a host. */
function alertHostId(a: Pick<Alert, "hostId" | "entityType" | "entityId">): string | null {
  return a.hostId ?? (a.entityType === "host" ? a.entityId : null);
}

/** The VM an alert is about: its VM link, else its entity when that is a VM. */
function alertVmId(a: Pick<Alert, "vmId" | "entityType" | "entityId">): string | null {
  return a.vmId ?? (a.entityType === "vm" ? a.entityId : null);
}

/** The alert columns the list row and the detail show alike. */
function alertFields(a: Alert) {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    entityType: a.entityType,
    entityId: a.entityId,
    entityName: a.entityName,
    count: a.count,
    raisedAt: a.raisedAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    ackAt: a.ackAt?.toISOString() ?? null,
    ackBy: a.ackBy,
    ackNote: a.ackNote,
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
    resolvedBy: a.resolvedBy,
  };
}

/** One page of alerts, newest first; critical before warning before info at the same time. */
export async function listAlerts(query: AlertListQuery, db: Db = getDb()): Promise<Page<AlertRow>> {
  const and: Prisma.AlertWhereInput[] = [];
  if (query.status === "active") and.push({ status: { in: ["open", "acknowledged"] } });
  else if (query.status !== "all") and.push({ status: query.status });
  if (query.severity) and.push({ severity: query.severity });
  if (query.kind) and.push({ kind: query.kind });
  if (query.hostId) and.push({ OR: [{ hostId: query.hostId }, { entityType: "host", entityId: query.hostId }] });
  if (query.vm) and.push({ OR: [{ vmId: query.vm }, { entityType: "vm", entityName: { contains: query.vm } }] });
  if (query.incidentId) and.push({ incidentId: query.incidentId });
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
  const hostIds = [...new Set(alerts.map(alertHostId).filter((x): x is string => !!x))];
  const vmIds = [...new Set(alerts.map(alertVmId).filter((x): x is string => !!x))];
  const [hosts, vms, refs] = await Promise.all([
    hostIds.length ? db.host.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } }) : [],
    vmIds.length ? db.vm.findMany({ where: { id: { in: vmIds } }, select: { id: true } }) : [],
    resolveTextRefs(alerts.map((a) => a.message), db),
  ]);
  const hostSet = new Set(hosts.map((h) => h.id));
  const hostNames = new Map(hosts.map((h) => [h.id, h.name]));
  const vmSet = new Set(vms.map((v) => v.id));
  const rows = alerts.map((a): AlertRow => {
    const hostId = alertHostId(a);
    const vmId = alertVmId(a);
    return {
      ...alertFields(a),
      hostId: hostId && hostSet.has(hostId) ? hostId : null,
      hostName: hostId ? (hostNames.get(hostId) ?? null) : null,
      vmId: vmId && vmSet.has(vmId) ? vmId : null,
      incident: a.incident,
      // in the console's words, with names for any store id the text holds (never the raw id)
      message: clip(plainText(a.message, refs)),
      messageClipped: plainText(a.message, refs).length > MESSAGE_MAX,
    };
  });
  return pageOf(rows, total, query.page, query.pageSize);
}

/** Alert counts by status (the alert list's tabs). */
export async function countAlertsByStatus(db: Db = getDb()): Promise<Record<string, number>> {
  const g = await db.alert.groupBy({ by: ["status"], _count: { _all: true } });
  return Object.fromEntries(g.map((x) => [x.status, x._count._all]));
}

/** Alert counts by kind (the list's kind filter). */
export async function countAlertsByKind(db: Db = getDb()): Promise<Record<string, number>> {
  const g = await db.alert.groupBy({ by: ["kind"], _count: { _all: true } });
  return Object.fromEntries(g.map((x) => [x.kind, x._count._all]));
}

export interface AlertDetail extends Omit<AlertRow, "message" | "messageClipped" | "hostName"> {
  /** As stored; show it with `refs` (names and links for the ids it holds). */
  message: string;
  refs: TextRefs;
  incident: { id: string; seq: number; kind: string; status: string } | null;
  /** Earlier and later episodes of the same kind on the same entity (newest first). */
  episodes: { id: string; status: string; raisedAt: string; resolvedAt: string | null; resolvedBy: string | null; count: number }[];
}

/** One alert with its history and the other episodes of the same (kind, entity); null when unknown. */
export async function getAlert(id: string, db: Db = getDb()): Promise<AlertDetail | null> {
  const a = await db.alert.findUnique({ where: { id }, include: { incident: { select: { id: true, seq: true, kind: true, status: true } } } });
  if (!a) return null;
  const hostId = alertHostId(a);
  const vmId = alertVmId(a);
  const [host, vm, episodes, refs] = await Promise.all([
    hostId ? db.host.findUnique({ where: { id: hostId }, select: { id: true } }) : null,
    vmId ? db.vm.findUnique({ where: { id: vmId }, select: { id: true } }) : null,
    db.alert.findMany({
      where: { kind: a.kind, entityType: a.entityType, entityId: a.entityId, id: { not: a.id } },
      orderBy: { raisedAt: "desc" },
      take: 20,
      select: { id: true, status: true, raisedAt: true, resolvedAt: true, resolvedBy: true, count: true },
    }),
    resolveTextRefs([a.message], db),
  ]);
  return {
    ...alertFields(a),
    hostId: host?.id ?? null,
    vmId: vm?.id ?? null,
    incident: a.incident,
    message: a.message,
    refs,
    episodes: episodes.map((e) => ({ ...e, raisedAt: e.raisedAt.toISOString(), resolvedAt: e.resolvedAt?.toISOString() ?? null })),
  };
}
