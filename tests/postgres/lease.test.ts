// Leader election and fencing on PostgreSQL (lib/server/cluster/lease.ts, migration
// 0002_controller_lease): one leader at a time, a takeover within the lease after the leader
// stops renewing, the epoch grows, and the deposed leader's client can no longer write anything
// (the store refuses it), while unfenced clients (the console's) still can.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres } from "@/lib/server/cluster/pg-migrate";
import { LeaseElector, readLease } from "@/lib/server/cluster/lease";
import { createDb } from "@/lib/server/db";
import { postgresAvailable, startPostgres, type PostgresServer } from "@/scripts/lib/postgres-server";
import pg from "pg";

const LEASE = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, ms: number): Promise<number> {
  const t0 = performance.now();
  while (!f()) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
  return performance.now() - t0;
}

describe.skipIf(!postgresAvailable())("controller lease", () => {
  let server: PostgresServer;
  let url: string;
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase("lease");
    await migratePostgres(url);
  }, 60_000);
  afterAll(() => server?.stop());

  it("one leader; a follower takes over within the lease once it stops renewing; the old epoch is fenced", async () => {
    const a = new LeaseElector(url, "a", { leaseMs: LEASE, address: "127.0.0.1:1" });
    const b = new LeaseElector(url, "b", { leaseMs: LEASE, address: "127.0.0.1:2" });
    a.start();
    await until(() => a.isLeader(), 5000);
    b.start();
    await sleep(LEASE * 1.5);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(b.state).toMatchObject({ role: "follower", holder: "a", address: "127.0.0.1:1" });
    const epochA = a.state.epoch!;

    const plain = createDb(url);
    const fencedA = createDb(url, { fenceEpoch: epochA });
    const c = await fencedA.cluster.create({ data: { name: "by-a" } });

    // a stops renewing (a killed process): b leads within the lease (+ one poll).
    await a.stop();
    const took = await until(() => b.isLeader(), LEASE + 1500);
    expect(took).toBeLessThan(LEASE + 1500);
    expect(b.state.epoch).toBe(epochA + 1);

    // Whatever a's controller still tries is refused by the store, in or out of a transaction.
    await expect(fencedA.cluster.update({ where: { id: c.id }, data: { name: "late" } })).rejects.toThrow(/fenced/);
    await expect(fencedA.cluster.create({ data: { name: "late" } })).rejects.toThrow(/fenced/);
    await expect(fencedA.$transaction(async (tx) => tx.cluster.deleteMany({}))).rejects.toThrow(/fenced/);
    expect((await plain.cluster.findMany()).map((x) => x.name)).toEqual(["by-a"]);

    // b's controller writes; the console (no epoch) writes too.
    const fencedB = createDb(url, { fenceEpoch: b.state.epoch! });
    await fencedB.cluster.update({ where: { id: c.id }, data: { name: "by-b" } });
    await plain.cluster.create({ data: { name: "by-console" } });
    expect((await plain.cluster.findMany({ orderBy: { name: "asc" } })).map((x) => x.name)).toEqual(["by-b", "by-console"]);

    await b.stop({ release: true });
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    expect((await readLease(c2))?.live).toBe(false);
    await c2.end();
    await Promise.all([plain.$disconnect(), fencedA.$disconnect(), fencedB.$disconnect()]);
  }, 30_000);

  it("an old leader stalled inside a transaction past its lease: the takeover waits for that transaction, which the store refuses to finish", async () => {
    const a = new LeaseElector(url, "a2", { leaseMs: LEASE });
    a.start();
    await until(() => a.isLeader(), 5000);
    const fencedA = createDb(url, { fenceEpoch: a.state.epoch!, idleInTransactionMs: 10_000 });
    const plain = createDb(url);
    const cl = await plain.cluster.create({ data: { name: "tx" } });
    let takenAt = 0;
    let secondAt = 0;
    const tx = fencedA.$transaction(
      async (t) => {
        await t.cluster.update({ where: { id: cl.id }, data: { heartbeatS: 2 } });
        await a.stop(); // a's process stalls with its transaction open, past the lease
        await sleep(LEASE + 800);
        secondAt = performance.now(); // the lease expired long ago; the row lock is still held
        await t.cluster.update({ where: { id: cl.id }, data: { heartbeatS: 3 } });
      },
      { timeout: 20_000 },
    );
    await sleep(200);
    const b = new LeaseElector(url, "b2", { leaseMs: LEASE });
    b.on("elected", () => (takenAt = performance.now()));
    b.start();
    await expect(tx).rejects.toThrow(/fenced/);
    await until(() => b.isLeader(), 10_000);
    // b could not take the lease while the transaction held the lease row (until it ended, after its refused second write).
    expect(takenAt).toBeGreaterThan(secondAt);
    // Neither of its writes survived: the first rolled back with the refused second.
    expect((await plain.cluster.findUniqueOrThrow({ where: { id: cl.id } })).heartbeatS).toBe(1);
    await b.stop({ release: true });
    await Promise.all([plain.$disconnect(), fencedA.$disconnect()]);
  }, 30_000);
});
