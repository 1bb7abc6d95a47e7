import "server-only";
// Names for the store ids a stored text names (an engine reason "it asks for GPU <id> by name", an
// agent's report): the console shows the name, linked, never the id (lib/display/text.ts). One
// round of lookups for all the texts of a page, and none when no text holds an id (the usual case).
import { getDb, type Db } from "@/lib/server/db";
import { idsIn, plainText, type TextRef } from "@/lib/display/text";

export type TextRefs = Record<string, TextRef>;

/** The ids the texts name → { name, href } for those that are hosts, VMs, GPUs or NICs. */
export async function resolveTextRefs(texts: Iterable<string | null | undefined>, db: Db = getDb()): Promise<TextRefs> {
  const ids = new Set<string>();
  for (const t of texts) if (t) for (const id of idsIn(t)) ids.add(id);
  if (ids.size === 0) return {};
  const list = [...ids].slice(0, 500);
  const where = { id: { in: list } };
  const [hosts, vms, gpus, nics] = await Promise.all([
    db.host.findMany({ where, select: { id: true, name: true } }),
    db.vm.findMany({ where, select: { id: true, name: true } }),
    db.gpu.findMany({ where, select: { id: true, name: true, host: { select: { id: true, name: true } } } }),
    db.nic.findMany({ where, select: { id: true, name: true, host: { select: { id: true, name: true } } } }),
  ]);
  const out: TextRefs = {};
  for (const h of hosts) out[h.id] = { name: h.name, href: `/hosts/${h.id}` };
  for (const v of vms) out[v.id] = { name: v.name, href: `/vms/${v.id}` };
  for (const g of gpus) out[g.id] = { name: `${g.name} (on ${g.host.name})`, href: `/hosts/${g.host.id}` };
  for (const n of nics) out[n.id] = { name: `${n.host.name}/${n.name}`, href: `/hosts/${n.host.id}` };
  return out;
}

/** Rows whose `message` is shown in the console's words, with names for the ids it holds. */
export async function humanizeMessages<T extends { message: string }>(rows: T[], db: Db = getDb()): Promise<T[]> {
  const refs = await resolveTextRefs(rows.map((r) => r.message), db);
  return rows.map((r) => ({ ...r, message: plainText(r.message, refs) }));
}
