import "server-only";
import type { Prisma } from "@prisma/client";
import { getDb, type Db } from "@/lib/server/db";
import {
  enumParam,
  pageOf,
  pageParams,
  param,
  skipTake,
  sortParams,
  type Page,
  type SearchParams,
  type SortDir,
} from "./params";
import { GPU_ROW_SELECT, gpuRow, type GpuUnitRow } from "./gpu-rows";

export const GPU_MODES = ["graphics", "compute"] as const;
export const GPU_KINDS = ["passthrough", "vgpu"] as const;
export const GPU_SORTS = ["host", "model", "name", "mode"] as const;
export type GpuSort = (typeof GPU_SORTS)[number];

export interface GpuListQuery {
  model?: string;
  mode?: (typeof GPU_MODES)[number];
  kind?: (typeof GPU_KINDS)[number];
  /** Host name. */
  host?: string;
  /** Substring of the GPU name, model or PCI address. */
  q?: string;
  sort: GpuSort;
  dir: SortDir;
  page: number;
  pageSize: number;
}

export function parseGpuListQuery(sp: SearchParams): GpuListQuery {
  return {
    model: param(sp, "model"),
    mode: enumParam(sp, "mode", GPU_MODES),
    kind: enumParam(sp, "kind", GPU_KINDS),
    host: param(sp, "host"),
    q: param(sp, "q"),
    ...sortParams(sp, GPU_SORTS, "host"),
    ...pageParams(sp),
  };
}

export interface GpuRow extends GpuUnitRow {
  host: { id: string; name: string; state: string };
}

export function gpuWhere(q: Omit<GpuListQuery, "sort" | "dir" | "page" | "pageSize">): Prisma.GpuWhereInput {
  const and: Prisma.GpuWhereInput[] = [];
  if (q.model) and.push({ model: q.model });
  if (q.mode) and.push({ mode: q.mode });
  if (q.kind === "passthrough") and.push({ vgpuProfile: null });
  if (q.kind === "vgpu") and.push({ NOT: { vgpuProfile: null } });
  if (q.host) and.push({ host: { name: q.host } });
  if (q.q) and.push({ OR: [{ name: { contains: q.q } }, { model: { contains: q.q } }, { pciAddress: { contains: q.q } }] });
  return and.length ? { AND: and } : {};
}

function gpuOrderBy(sort: GpuSort, dir: SortDir): Prisma.GpuOrderByWithRelationInput[] {
  switch (sort) {
    case "model":
      return [{ model: dir }, { host: { name: "asc" } }, { name: "asc" }];
    case "name":
      return [{ name: dir }];
    case "mode":
      return [{ mode: dir }, { host: { name: "asc" } }, { name: "asc" }];
    default:
      return [{ host: { name: dir } }, { name: "asc" }];
  }
}

/** One page of GPUs with their host, usage and the VMs holding them. */
export async function listGpus(query: GpuListQuery, db: Db = getDb()): Promise<Page<GpuRow>> {
  const where = gpuWhere(query);
  const [total, gpus] = await Promise.all([
    db.gpu.count({ where }),
    db.gpu.findMany({
      where,
      orderBy: gpuOrderBy(query.sort, query.dir),
      ...skipTake(query.page, query.pageSize),
      select: { ...GPU_ROW_SELECT, host: { select: { id: true, name: true, state: true } } },
    }),
  ]);
  const rows = gpus.map((g): GpuRow => ({ ...gpuRow(g), host: g.host }));
  return pageOf(rows, total, query.page, query.pageSize);
}

/** Filter options of the GPU list: the models present, with counts. */
export async function listGpuFacets(db: Db = getDb()): Promise<{ models: { model: string; count: number }[] }> {
  const models = await db.gpu.groupBy({ by: ["model"], _count: { _all: true }, orderBy: { model: "asc" } });
  return { models: models.map((m) => ({ model: m.model, count: m._count._all })) };
}
