// Shared helpers of the read queries: URL search params → typed, clamped query options,
// and the page envelope every list returns. Importable by server code only through the
// query modules; the types are erased, so client tables may `import type` them.

export type SearchParams = Record<string, string | string[] | undefined>;
export type SortDir = "asc" | "desc";

export const DEFAULT_PAGE_SIZE = 50;
export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** A list page: the rows of one page plus what the pager needs. */
export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** The first value of a search param, trimmed; undefined when absent or blank. */
export function param(sp: SearchParams, key: string): string | undefined {
  const v = sp[key];
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== "string") return undefined;
  const t = s.trim();
  return t === "" ? undefined : t.slice(0, 200);
}

/** The param when it is one of `allowed`, else undefined (unknown values are ignored, never an error). */
export function enumParam<T extends string>(sp: SearchParams, key: string, allowed: readonly T[]): T | undefined {
  const v = param(sp, key);
  return v !== undefined && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** `page` (1-based) and `size` from the URL, clamped. */
export function pageParams(sp: SearchParams, defaultSize = DEFAULT_PAGE_SIZE): { page: number; pageSize: number } {
  const p = Number.parseInt(param(sp, "page") ?? "1", 10);
  const s = Number.parseInt(param(sp, "size") ?? String(defaultSize), 10);
  const pageSize = (PAGE_SIZES as readonly number[]).includes(s) ? s : defaultSize;
  return { page: Number.isFinite(p) && p >= 1 ? Math.min(p, 1_000_000) : 1, pageSize };
}

/** `sort` (one of `allowed`) and `dir` (asc | desc) from the URL. */
export function sortParams<T extends string>(
  sp: SearchParams,
  allowed: readonly T[],
  defaultSort: T,
  defaultDir: SortDir = "asc",
): { sort: T; dir: SortDir } {
  const sort = enumParam(sp, "sort", allowed) ?? defaultSort;
  const dir = enumParam(sp, "dir", ["asc", "desc"] as const) ?? defaultDir;
  return { sort, dir };
}

/** skip/take for a 1-based page. */
export function skipTake(page: number, pageSize: number): { skip: number; take: number } {
  return { skip: (page - 1) * pageSize, take: pageSize };
}

/** Sort comparator by `name` (for lists sorted in memory, e.g. a detail's placement groups). */
export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : 1;
}

export function pageOf<T>(rows: T[], total: number, page: number, pageSize: number): Page<T> {
  return { rows, total, page, pageSize, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}

/** Parses a JSON text column; null when absent or not JSON. */
export function parseJson<T = unknown>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/**
 * The time a page renders at, for "12 s ago" labels. Server components render once per
 * request, so reading the clock here is stable for the response (client components get it
 * as a prop, which keeps hydration consistent).
 */
export function requestTime(): number {
  return Date.now();
}
