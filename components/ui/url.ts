// Building list URLs from the current search params (client- and server-safe).

export type QueryValues = Record<string, string | undefined>;

/** Flattens Next's searchParams object to single string values. */
export function flatParams(sp: Record<string, string | string[] | undefined>): QueryValues {
  const out: QueryValues = {};
  for (const [k, v] of Object.entries(sp)) {
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === "string" && s !== "") out[k] = s;
  }
  return out;
}

/**
 * `pathname?query` with `patch` applied: a patch value of undefined removes the key. Changing
 * anything but `page` returns to page 1.
 */
export function hrefWith(pathname: string, current: QueryValues, patch: QueryValues): string {
  const next: QueryValues = { ...current };
  if (!("page" in patch)) delete next.page;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === "") delete next[k];
    else next[k] = v;
  }
  if (next.page === "1") delete next.page;
  const qs = new URLSearchParams(Object.entries(next).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return qs ? `${pathname}?${qs}` : pathname;
}
