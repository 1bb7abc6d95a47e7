import "server-only";
// Page data cached per live version of the store (lib/server/queries/changes.ts getLiveVersion):
// a value is computed once per version and shared by every request that sees that version, so
// many browsers on the dashboard cost one round of queries per change, not one per request. The
// version is derived from the store (a display cache, never a security decision); a page and its
// LiveRefresh token always come from the same version, so the page refreshes as soon as the
// version moves (at most the version's memo TTL, 750 ms, after a change).
import { getDb, type Db } from "@/lib/server/db";
import { getLiveVersion } from "./changes";

type Entry = { version: string; value: Promise<unknown> };
const caches = new WeakMap<Db, Map<string, Entry>>();

export async function byLiveVersion<T>(key: string, compute: (db: Db) => Promise<T>, db: Db = getDb()): Promise<T> {
  const version = await getLiveVersion(db);
  let m = caches.get(db);
  if (!m) caches.set(db, (m = new Map()));
  const cur = m.get(key);
  if (cur && cur.version === version) return cur.value as Promise<T>;
  const value = compute(db);
  const entry: Entry = { version, value };
  m.set(key, entry);
  value.catch(() => {
    if (m!.get(key) === entry) m!.delete(key);
  });
  return value;
}
