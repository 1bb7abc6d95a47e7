import "server-only";
import { getDb, type Db } from "@/lib/server/db";
import { buildIncidentTimeline, type IncidentTimeline } from "@/lib/incidents/timeline";
import { plainText } from "@/lib/display/text";
import { incidentTitle } from "@/lib/display/incident";
import { resolveTextRefs } from "./text-refs";
import { enumParam, pageOf, pageParams, param, parseJson, skipTake, type Page, type SearchParams } from "./params";

export const INCIDENT_STATUSES = ["open", "closed"] as const;
export const INCIDENT_KINDS = ["host-failure", "network-fault", "vm-crash", "isolation"] as const;

export interface IncidentListQuery {
  status?: (typeof INCIDENT_STATUSES)[number];
  kind?: (typeof INCIDENT_KINDS)[number];
  hostId?: string;
  page: number;
  pageSize: number;
}

export function parseIncidentListQuery(sp: SearchParams): IncidentListQuery {
  return { status: enumParam(sp, "status", INCIDENT_STATUSES), kind: enumParam(sp, "kind", INCIDENT_KINDS), hostId: param(sp, "host"), ...pageParams(sp) };
}

export interface IncidentRow {
  id: string;
  seq: number;
  kind: string;
  status: string;
  host: { id: string; name: string } | null;
  openedAt: string;
  detectedAt: string | null;
  failedAt: string | null;
  closedAt: string | null;
  summary: string | null;
  events: number;
  alerts: number;
  /** VMs the incident's events name. */
  vms: number;
  /** VMs running again (a vm-running event in the incident). */
  vmsRecovered: number;
  /** Seconds from the start to the last VM running (null when none ran). */
  recoveryS: number | null;
}

/** One page of incidents, newest first, with their event and alert counts. */
export async function listIncidents(query: IncidentListQuery, db: Db = getDb()): Promise<Page<IncidentRow>> {
  const where = { ...(query.status ? { status: query.status } : {}), ...(query.kind ? { kind: query.kind } : {}), ...(query.hostId ? { hostId: query.hostId } : {}) };
  const [total, incidents] = await Promise.all([
    db.incident.count({ where }),
    db.incident.findMany({
      where,
      orderBy: [{ openedAt: "desc" }, { seq: "desc" }],
      ...skipTake(query.page, query.pageSize),
      select: {
        id: true,
        seq: true,
        kind: true,
        status: true,
        openedAt: true,
        detectedAt: true,
        failedAt: true,
        closedAt: true,
        summary: true,
        host: { select: { id: true, name: true } },
        _count: { select: { events: true, alerts: true } },
      },
    }),
  ]);
  const ids = incidents.map((i) => i.id);
  const [vmPairs, runs] = ids.length
    ? await Promise.all([
        db.event.groupBy({ by: ["incidentId", "vmId"], where: { incidentId: { in: ids }, vmId: { not: null } } }),
        db.event.groupBy({ by: ["incidentId", "vmId"], where: { incidentId: { in: ids }, kind: "vm-running" }, _max: { at: true } }),
      ])
    : [[], []];
  const vmCount = new Map<string, number>();
  for (const p of vmPairs) vmCount.set(p.incidentId!, (vmCount.get(p.incidentId!) ?? 0) + 1);
  const recovered = new Map<string, { n: number; last: number }>();
  for (const r of runs) {
    const cur = recovered.get(r.incidentId!) ?? { n: 0, last: 0 };
    cur.n++;
    cur.last = Math.max(cur.last, r._max.at?.getTime() ?? 0);
    recovered.set(r.incidentId!, cur);
  }
  return pageOf(
    incidents.map((i) => ({
      id: i.id,
      seq: i.seq,
      kind: i.kind,
      status: i.status,
      host: i.host,
      openedAt: i.openedAt.toISOString(),
      detectedAt: i.detectedAt?.toISOString() ?? null,
      failedAt: i.failedAt?.toISOString() ?? null,
      closedAt: i.closedAt?.toISOString() ?? null,
      summary: i.summary,
      events: i._count.events,
      alerts: i._count.alerts,
      vms: vmCount.get(i.id) ?? 0,
      vmsRecovered: recovered.get(i.id)?.n ?? 0,
      recoveryS: recovered.has(i.id) ? Math.round((recovered.get(i.id)!.last - i.openedAt.getTime()) / 100) / 10 : null,
    })),
    total,
    query.page,
    query.pageSize,
  );
}

export interface IncidentDetail {
  id: string;
  seq: number;
  kind: string;
  status: string;
  summary: string | null;
  host: { id: string; name: string; state: string } | null;
  openedAt: string;
  detectedAt: string | null;
  failedAt: string | null;
  closedAt: string | null;
  timeline: IncidentTimeline;
  /** VMs the incident touched that still exist (for links). */
  vmIds: string[];
  alerts: { id: string; kind: string; severity: string; status: string; entityType: string; entityName: string; message: string; raisedAt: string; resolvedBy: string | null }[];
  /** Events recorded (read: at most INCIDENT_EVENTS_MAX). Each is listed once, on the timeline or in a VM lane, except a crash (in both). */
  events: number;
  eventsShared: number;
  eventsCapped: boolean;
  /** "Host failure of host-03", "web-01 crashed on host-03": from the kind and what the events say. */
  title: string;
}

export const INCIDENT_EVENTS_MAX = 5000;

/** One incident with its timeline (built from its events) and its alerts; null when unknown. */
export async function getIncident(id: string, now: number = Date.now(), db: Db = getDb()): Promise<IncidentDetail | null> {
  const inc = await db.incident.findUnique({
    where: { id },
    include: { host: { select: { id: true, name: true, state: true } } },
  });
  if (!inc) return null;
  const [events, alerts] = await Promise.all([
    db.event.findMany({ where: { incidentId: id }, orderBy: [{ at: "asc" }, { id: "asc" }], take: INCIDENT_EVENTS_MAX }),
    db.alert.findMany({
      where: { incidentId: id },
      orderBy: [{ raisedAt: "asc" }, { id: "asc" }],
      take: 200,
      select: { id: true, kind: true, severity: true, status: true, entityType: true, entityName: true, message: true, raisedAt: true, resolvedBy: true },
    }),
  ]);
  const vmIds = [...new Set(events.map((e) => e.vmId).filter((x): x is string => !!x))];
  const vms = vmIds.length ? await db.vm.findMany({ where: { id: { in: vmIds } }, select: { id: true, name: true } }) : [];
  const names = new Map(vms.map((v) => [v.id, v.name]));
  // A deleted VM keeps its name from the events' messages ("web-01 is running on …").
  for (const e of events) if (e.vmId && !names.has(e.vmId)) names.set(e.vmId, e.message.split(/[ :]/)[0] || e.vmId);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  // Texts in the console's words, with names for any store id they hold (never the raw id).
  const refs = await resolveTextRefs([...events.flatMap((e) => [e.message, e.data]), ...alerts.map((a) => a.message)], db);
  const human = (x: string) => plainText(x, refs);
  const humanData = (d: Record<string, unknown> | null): Record<string, unknown> | null => {
    if (!d) return d;
    const out: Record<string, unknown> = { ...d };
    for (const k of ["reasons", "error", "reason"]) {
      const v = d[k];
      if (typeof v === "string") out[k] = human(v);
      else if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === "string" ? human(x) : x));
    }
    return out;
  };
  const timeline = buildIncidentTimeline(
    { kind: inc.kind, openedAt: inc.openedAt.toISOString(), detectedAt: iso(inc.detectedAt), failedAt: iso(inc.failedAt), closedAt: iso(inc.closedAt) },
    events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, message: human(e.message), hostId: e.hostId, vmId: e.vmId, data: humanData(parseJson<Record<string, unknown>>(e.data)) })),
    names,
    now,
  );
  const crashes = events.filter((e) => e.kind === "vm-crashed" && e.vmId);
  return {
    id: inc.id,
    seq: inc.seq,
    kind: inc.kind,
    status: inc.status,
    summary: inc.summary,
    host: inc.host,
    openedAt: inc.openedAt.toISOString(),
    detectedAt: iso(inc.detectedAt),
    failedAt: iso(inc.failedAt),
    closedAt: iso(inc.closedAt),
    timeline,
    vmIds: vms.map((v) => v.id),
    alerts: alerts.map((a) => {
      const m = human(a.message);
      return { ...a, message: m.length > 400 ? `${m.slice(0, 399)}…` : m, raisedAt: a.raisedAt.toISOString() };
    }),
    events: events.length,
    eventsShared: crashes.length,
    eventsCapped: events.length >= INCIDENT_EVENTS_MAX,
    title: incidentTitle({
      seq: inc.seq,
      kind: inc.kind,
      host: inc.host,
      eventKinds: [...new Set(events.map((e) => e.kind))],
      crashedVms: [...new Set(crashes.map((e) => names.get(e.vmId!) ?? "a VM"))],
    }),
  };
}
