// FormData → plain object, for the admin forms. Importable by client code.
//
// - Dotted keys build nested objects and arrays: `devices.0.tag` → `{ devices: [{ tag }] }`.
//   Array holes (a row removed in the browser) are compacted, so indices are dense.
// - A key sent more than once (a multi-select, a checkbox after its hidden "false") becomes
//   an array of its values.
// - Empty strings are dropped (a blank optional field is "not given"); files are ignored,
//   and so are Next's own `$ACTION…` fields.

type Json = string | Json[] | { [k: string]: Json };

const INDEX = /^(0|[1-9][0-9]{0,3})$/;

export function formDataToObject(fd: FormData | Iterable<[string, FormDataEntryValue]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const entries: Iterable<[string, FormDataEntryValue]> = fd instanceof FormData ? fd.entries() : fd;
  for (const [key, raw] of entries) {
    if (key.startsWith("$")) continue;
    if (typeof raw !== "string") continue;
    const value = raw.trim();
    if (value === "") continue;
    setPath(root, key.split("."), value);
  }
  return compact(root) as Record<string, unknown>;
}

function setPath(root: Record<string, unknown>, parts: string[], value: string): void {
  let node: Record<string, unknown> = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    const next = node[p];
    if (next === undefined || typeof next !== "object" || next === null || Array.isArray(next)) {
      // Arrays are built as objects keyed by index and compacted at the end.
      node[p] = {};
    }
    node = node[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  const prev = node[last];
  if (prev === undefined) node[last] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else if (typeof prev === "string") node[last] = [prev, value];
  // an object already at this key (a.b and a.b.c both sent): keep the object
}

function compact(v: unknown): unknown {
  if (Array.isArray(v) || typeof v !== "object" || v === null) return v;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 0 && keys.every((k) => INDEX.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => compact(obj[String(k)]));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = compact(obj[k]);
  return out;
}

export type { Json };
