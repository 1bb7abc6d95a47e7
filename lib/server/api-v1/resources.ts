import "server-only";
// Reads the /api/v1 routes need beyond the console's list/detail queries: a host, VM or GPU by id
// or by name (scripts know names), one device tag, and an incident's answer shape.
import { getDb, type Db } from "@/lib/server/db";
import { getHost } from "@/lib/server/queries/hosts";
import { getVm } from "@/lib/server/queries/vms";
import { getIncident } from "@/lib/server/queries/incidents";
import { listTags, type TagRow } from "@/lib/server/queries/tags";
import { GPU_ROW_SELECT, gpuRow } from "@/lib/server/queries/gpu-rows";
import { AppError } from "@/lib/server/errors";

export async function hostByIdOrName(idOrName: string, db: Db = getDb()) {
  const byId = await getHost(idOrName, db);
  if (byId) return byId;
  const h = await db.host.findUnique({ where: { name: idOrName }, select: { id: true } });
  const byName = h ? await getHost(h.id, db) : null;
  if (!byName) throw new AppError("NOT_FOUND", `Host ${idOrName} does not exist (give its id or name)`);
  return byName;
}

export async function hostIdOf(idOrName: string, db: Db = getDb()): Promise<string> {
  const h = await db.host.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] }, select: { id: true } });
  if (!h) throw new AppError("NOT_FOUND", `Host ${idOrName} does not exist (give its id or name)`);
  return h.id;
}

export async function vmIdOf(idOrName: string, db: Db = getDb()): Promise<string> {
  const v = await db.vm.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] }, select: { id: true } });
  if (!v) throw new AppError("NOT_FOUND", `VM ${idOrName} does not exist (give its id or name)`);
  return v.id;
}

export async function vmByIdOrName(idOrName: string, db: Db = getDb()) {
  const vm = await getVm(await vmIdOf(idOrName, db), db);
  if (!vm) throw new AppError("NOT_FOUND", `VM ${idOrName} does not exist`);
  return vm;
}

export async function gpuById(id: string, db: Db = getDb()) {
  const g = await db.gpu.findUnique({ where: { id }, select: { ...GPU_ROW_SELECT, host: { select: { id: true, name: true, state: true } } } });
  if (!g) throw new AppError("NOT_FOUND", `GPU ${id} does not exist`);
  return { ...gpuRow(g), host: g.host };
}

export async function tagByName(type: string, name: string, db: Db = getDb()): Promise<TagRow> {
  const t = (await listTags({ type: type as TagRow["type"] }, db)).find((r) => r.name === name);
  if (!t) throw new AppError("NOT_FOUND", `Device tag ${type}:${name} does not exist`);
  return t;
}

export async function incidentById(id: string, db: Db = getDb()) {
  const i = await getIncident(id, Date.now(), db);
  if (!i) throw new AppError("NOT_FOUND", `Incident ${id} does not exist`);
  return { ...i, recovery: i.timeline.summary };
}
