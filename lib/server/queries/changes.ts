import "server-only";
// Cheap change tokens of the store, for caches and live pages.
//
//   getInventoryVersion — what the engine decides on (cluster policy, hosts' states, VMs, devices,
//     inventory edits, HA events). Keys the dashboard's engine cache.
//   getLiveVersion — that plus alerts, incidents and host heartbeats: what the live pages show.
//
// Each is a handful of aggregate queries (max/count), memoised for TTL_MS so that many open
// browser tabs polling /api/v1/changes cost at most one round of queries per interval.
import { getDb, type Db } from "@/lib/server/db";

const TTL_MS = 750;

type Memo = { at: number; value: Promise<string> };
const memos = new WeakMap<Db, { inventory?: Memo; live?: Memo }>();

function memo(db: Db, kind: "inventory" | "live", ttlMs: number, compute: () => Promise<string>): Promise<string> {
  let m = memos.get(db);
  if (!m) memos.set(db, (m = {}));
  const cur = m[kind];
  const now = Date.now();
  if (cur && now - cur.at < ttlMs) return cur.value;
  const value = compute();
  const entry: Memo = { at: now, value };
  m[kind] = entry;
  // A failed read must not stick for the TTL.
  value.catch(() => {
    if (m![kind] === entry) m![kind] = undefined;
  });
  return value;
}

const t = (d: Date | null | undefined) => (d ? d.getTime().toString(36) : "-");

async function inventoryParts(db: Db): Promise<string[]> {
  const [cluster, vms, hosts, badStorage, nicsDown, audit, events] = await Promise.all([
    db.cluster.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true, updatedAt: true } }),
    db.vm.aggregate({ _max: { updatedAt: true }, _count: { _all: true } }),
    db.host.aggregate({ _max: { stateSince: true }, _count: { _all: true } }),
    db.host.count({ where: { storageControllerHealthy: false } }),
    db.nic.count({ where: { linkUp: false } }),
    db.auditLog.aggregate({ _max: { at: true }, _count: { _all: true } }),
    db.event.aggregate({ _max: { at: true } }),
  ]);
  return [
    cluster ? `${cluster.id}@${t(cluster.updatedAt)}` : "none",
    `v${vms._count._all}@${t(vms._max.updatedAt)}`,
    `h${hosts._count._all}@${t(hosts._max.stateSince)}s${badStorage}n${nicsDown}`,
    `a${audit._count._all}@${t(audit._max.at)}`,
    `e${t(events._max.at)}`,
  ];
}

/** A token that changes whenever something the engine decides on may have changed. */
export function getInventoryVersion(db: Db = getDb(), opts: { ttlMs?: number } = {}): Promise<string> {
  return memo(db, "inventory", opts.ttlMs ?? TTL_MS, async () => (await inventoryParts(db)).join("|"));
}

/** A token that changes whenever a live page (dashboard, lists, details, alerts, incidents) may show something new. */
export function getLiveVersion(db: Db = getDb(), opts: { ttlMs?: number } = {}): Promise<string> {
  return memo(db, "live", opts.ttlMs ?? TTL_MS, async () => {
    const [inv, alerts, incidents, hosts] = await Promise.all([
      getInventoryVersion(db, opts),
      db.alert.aggregate({ _max: { raisedAt: true, lastSeenAt: true, ackAt: true, resolvedAt: true }, _count: { _all: true } }),
      db.incident.aggregate({ _max: { openedAt: true, closedAt: true, failedAt: true, detectedAt: true }, _count: { _all: true } }),
      db.host.aggregate({ _max: { updatedAt: true } }),
    ]);
    const m = alerts._max;
    const i = incidents._max;
    return [
      inv,
      `al${alerts._count._all}@${t(m.raisedAt)}.${t(m.lastSeenAt)}.${t(m.ackAt)}.${t(m.resolvedAt)}`,
      `in${incidents._count._all}@${t(i.openedAt)}.${t(i.closedAt)}.${t(i.failedAt)}.${t(i.detectedAt)}`,
      `hb${t(hosts._max.updatedAt)}`,
    ].join("|");
  });
}
