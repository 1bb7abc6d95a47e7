import "server-only";
// Names beside the ids of the audit log ("host:cmi…" → kvm-a01, linked): one lookup per entity
// type on the page's rows. An entity deleted since keeps the name its audit row recorded.
import { getDb, type Db } from "@/lib/server/db";
import { alertKindLabel } from "@/lib/display/alert-kind";
import { parseJson } from "./params";

export interface AuditEntityName {
  name: string;
  /** The entity's page, when it still exists and has one. */
  href: string | null;
  /** Gone since (the name comes from the audit row itself). */
  deleted: boolean;
}

type Row = { entity: string; before: string | null; after: string | null };

function split(entity: string): { type: string; id: string } | null {
  const i = entity.indexOf(":");
  return i > 0 ? { type: entity.slice(0, i), id: entity.slice(i + 1) } : null;
}

function recordedName(r: Row): string | null {
  for (const j of [r.after, r.before]) {
    const o = parseJson<Record<string, unknown>>(j);
    for (const k of ["name", "email", "hostName", "vmName", "host", "entityName"]) if (o && typeof o[k] === "string" && o[k]) return o[k] as string;
  }
  return null;
}

/** entity string → its name (and page), for the rows of one audit page. */
export async function nameAuditEntities(rows: Row[], db: Db = getDb()): Promise<Record<string, AuditEntityName>> {
  const byType = new Map<string, Set<string>>();
  for (const r of rows) {
    const e = split(r.entity);
    if (e) byType.set(e.type, (byType.get(e.type) ?? new Set()).add(e.id));
  }
  const ids = (t: string) => [...(byType.get(t) ?? [])];
  const q = <T,>(t: string, f: (ids: string[]) => Promise<T[]>): Promise<T[]> => (ids(t).length ? f(ids(t)) : Promise.resolve([]));
  const [hosts, vms, gpus, nics, networks, groups, alerts, users] = await Promise.all([
    // some rows name their host or VM (a demo fault: "host:kvm-a01"), most give its id
    q("host", (i) => db.host.findMany({ where: { OR: [{ id: { in: i } }, { name: { in: i } }] }, select: { id: true, name: true } })),
    q("vm", (i) => db.vm.findMany({ where: { OR: [{ id: { in: i } }, { name: { in: i } }] }, select: { id: true, name: true } })),
    q("gpu", (i) => db.gpu.findMany({ where: { id: { in: i } }, select: { id: true, name: true, hostId: true } })),
    q("nic", (i) => db.nic.findMany({ where: { id: { in: i } }, select: { id: true, name: true, hostId: true, host: { select: { name: true } } } })),
    q("network", (i) => db.network.findMany({ where: { id: { in: i } }, select: { id: true, name: true } })),
    q("placement-group", (i) => db.placementGroup.findMany({ where: { id: { in: i } }, select: { id: true, name: true } })),
    q("alert", (i) => db.alert.findMany({ where: { id: { in: i } }, select: { id: true, kind: true, entityName: true } })),
    q("user", (i) => db.user.findMany({ where: { id: { in: i } }, select: { id: true, email: true } })),
  ]);
  const live = new Map<string, { name: string; href: string | null }>();
  for (const h of hosts) for (const k of [h.id, h.name]) live.set(`host:${k}`, { name: h.name, href: `/hosts/${h.id}` });
  for (const v of vms) for (const k of [v.id, v.name]) live.set(`vm:${k}`, { name: v.name, href: `/vms/${v.id}` });
  for (const g of gpus) live.set(`gpu:${g.id}`, { name: g.name, href: `/hosts/${g.hostId}` });
  for (const n of nics) live.set(`nic:${n.id}`, { name: `${n.host.name}/${n.name}`, href: `/hosts/${n.hostId}` });
  for (const n of networks) live.set(`network:${n.id}`, { name: n.name, href: `/networks/${n.id}` });
  for (const g of groups) live.set(`placement-group:${g.id}`, { name: g.name, href: `/placement-groups/${g.id}` });
  for (const a of alerts) live.set(`alert:${a.id}`, { name: `${alertKindLabel(a.kind)} on ${a.entityName}`, href: `/alerts/${a.id}` });
  for (const u of users) live.set(`user:${u.id}`, { name: u.email, href: null });
  const out: Record<string, AuditEntityName> = {};
  for (const r of rows) {
    if (out[r.entity]?.deleted === false) continue;
    const l = live.get(r.entity);
    if (l) out[r.entity] = { ...l, deleted: false };
    else {
      const name = recordedName(r);
      if (name) out[r.entity] = { name, href: null, deleted: true };
    }
  }
  return out;
}
