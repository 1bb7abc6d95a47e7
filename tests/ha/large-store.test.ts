// The controller on a store larger than SQLite's 999 bound parameters per statement.
import { afterEach, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { HaController, chunked } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

describe("chunked", () => {
  it("splits into slices of at most the given size", () => {
    expect(chunked([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunked([], 2)).toEqual([]);
  });
});

describe("1,100 hosts heartbeating in the same second", () => {
  it("persists every host's lastHeartbeatAt (statements stay under 999 parameters)", async () => {
    t = await createTestDb();
    await importCluster(t.db, { hosts: [{ name: "h0", cpus: 8, memoryGiB: 32 }] }, { now: new Date(0) });
    const cluster = await t.db.cluster.findFirstOrThrow();
    await t.db.host.createMany({
      data: Array.from({ length: 1100 }, (_, i) => ({ clusterId: cluster.id, name: `big-${i}`, cpus: 8, memoryMiB: 32768, stateSince: new Date(0) })),
    });
    const clock = new VirtualClock(0);
    const controller = new HaController({ db: t.db, clock, log: silentLogger });
    await controller.start();
    clock.advance(1500);
    const hosts = await t.db.host.findMany({ select: { id: true } });
    expect(hosts.length).toBe(1101);
    for (const h of hosts) expect(controller.noteHeartbeat({ hostId: h.id, seq: 1, vms: [] }).known).toBe(true);
    await controller.persistHeartbeats(true);
    const missing = await t.db.host.count({ where: { lastHeartbeatAt: null } });
    expect(missing).toBe(0);
  });
});

describe("the SQLite store", () => {
  it("runs in WAL mode with a busy timeout (readers do not wait for a long write)", async () => {
    t = await createTestDb();
    const mode = await t.db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    expect(mode[0].journal_mode).toBe("wal");
    const busy = await t.db.$queryRawUnsafe<Record<string, unknown>[]>("PRAGMA busy_timeout");
    expect(Number(Object.values(busy[0])[0])).toBe(5000);
  });
});
