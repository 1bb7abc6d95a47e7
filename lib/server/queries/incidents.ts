import "server-only";
import { getDb, type Db } from "@/lib/server/db";
import { enumParam, pageOf, pageParams, skipTake, type Page, type SearchParams } from "./params";

export const INCIDENT_STATUSES = ["open", "closed"] as const;

export interface IncidentListQuery {
  status?: (typeof INCIDENT_STATUSES)[number];
  page: number;
  pageSize: number;
}

export function parseIncidentListQuery(sp: SearchParams): IncidentListQuery {
  return { status: enumParam(sp, "status", INCIDENT_STATUSES), ...pageParams(sp) };
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
}

/** One page of incidents, newest first, with their event and alert counts. */
export async function listIncidents(query: IncidentListQuery, db: Db = getDb()): Promise<Page<IncidentRow>> {
  const where = query.status ? { status: query.status } : {};
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
    })),
    total,
    query.page,
    query.pageSize,
  );
}
