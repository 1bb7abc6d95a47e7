// Three production console instances on one PostgreSQL store behind haproxy (issue 13), with the
// simulated fleet over HTTP through haproxy (lib/sim, as `npm run sim` runs it). Needs the
// production build in HAVEN_CLUSTER_DIST (default .next-pg; make it with
// `NEXT_DIST_DIR=.next-pg npx next build`), haproxy and PostgreSQL; skipped otherwise.
//  - kill -9 of the leader instance in the middle of a host failover (seeded points in the
//    failover, HAVEN_CLUSTER_ROUNDS rounds, default 10): another instance leads within the lease
//    (+1 s), every HA VM converges onto exactly one host, the store agrees with the fleet, and no
//    incident is duplicated;
//  - SIGSTOP of the leader's controller process past its lease, then SIGCONT: it exits without
//    writing (the store refuses its epoch), the new leader keeps the lease;
//  - PostgreSQL killed for 3 s: every instance answers 503, then all recover and the fleet converges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { migratePostgres } from "@/lib/server/cluster/pg-migrate";
import { readLease } from "@/lib/server/cluster/lease";
import { createDb } from "@/lib/server/db";
import { SimFleet } from "@/lib/sim/fleet";
import type { SimAgent } from "@/lib/sim/agent";
import { httpTransport } from "@/lib/sim/http-transport";
import { haproxyAvailable } from "@/scripts/lib/haproxy";
import { distReady, startConsoleCluster, type ConsoleCluster } from "@/scripts/lib/console-cluster";
import { postgresAvailable, startPostgres, type PostgresServer } from "@/scripts/lib/postgres-server";

const DIST = process.env.HAVEN_CLUSTER_DIST || ".next-pg";
const LEASE = 4000;
const ROUNDS = Number(process.env.HAVEN_CLUSTER_ROUNDS ?? 10);
const ADMIN = "cluster-admin-token-0123456789abcdef";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Seeded points: how long after the host's power loss the leader dies (ms), per round.
function points(seed: number, n: number, max: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31), Math.floor((x / 2 ** 31) * max)));
}

const ready = postgresAvailable() && haproxyAvailable() && distReady(DIST);

describe.skipIf(!ready)(`three instances behind haproxy (build ${DIST})`, () => {
  let server: PostgresServer;
  let url: string;
  let admin: pg.Client;
  let cluster: ConsoleCluster;
  let fleet: SimFleet;
  let tickTimer: ReturnType<typeof setInterval>;
  const down = new Set<string>();
  const haVms: string[] = [];
  const vmName = new Map<string, string>();

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase("instances");
    await migratePostgres(url);
    const db = createDb(url);
    const { seedDemo } = await import("@/lib/server/seed");
    await seedDemo(db);
    // Short HA timings, with an isolation timeout longer than a takeover (lease + the new
    // controller's start): agents must not fence their guests because the leader changed
    // (isolation < missed × heartbeat + failure timeout).
    await db.cluster.updateMany({ data: { heartbeatS: 1, missedHeartbeats: 3, failureTimeoutS: 8, isolationTimeoutS: 10, vmStartS: 1 } });
    for (const v of await db.vm.findMany({ where: { power: "running", haPriority: { not: "off" } }, select: { id: true, name: true } })) {
      haVms.push(v.id);
      vmName.set(v.id, v.name);
    }
    await db.$disconnect();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cluster = await startConsoleCluster({
      dist: DIST,
      databaseUrl: url,
      env: { HAVEN_LEASE_MS: String(LEASE), HAVEN_AUTH_SECRET: "instances-test-secret-0123456789abcdefgh", HAVEN_ADMIN_TOKEN: ADMIN, HAVEN_DEMO: "0", HAVEN_LOG_LEVEL: "warn" },
    });
    for (let i = 0; i < 3; i++) await cluster.waitHealthy(i, 180_000);
    await waitFor(async () => (await fetch(`${cluster.url}/api/health`)).ok, 10_000, "haproxy sees the instances");

    // The fleet over HTTP through haproxy, as `npm run sim` does.
    const res = await fetch(`${cluster.url}/api/v1/agent-tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ limit: 100, withVms: true }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const issued = ((await res.json()) as { tokens: { hostName: string; token: string; nics: string[]; vms: Parameters<SimAgent["adopt"]>[0][] }[] }).tokens;
    const transport = httpTransport({ url: cluster.url, tokens: new Map(issued.map((i) => [i.hostName, i.token])) });
    const r = await transport.register({ hostName: issued[0].hostName, agentVersion: "haven-sim" });
    fleet = new SimFleet(
      transport,
      { heartbeatMs: r.heartbeatS * 1000, isolationTimeoutMs: r.isolationTimeoutS * 1000, vmStartMs: r.vmStartS * 1000, migrateMs: 1000 },
      {
        // Every start is checked at once: a VM started while it still runs elsewhere counts.
        vmStarted: (vm) => {
          if (fleet && fleet.hostsRunning(vm.vmId).length > 1) twice++;
        },
        vmStopped: () => {},
      },
    );
    const t0 = Date.now();
    for (const i of issued) {
      const a = fleet.add(i.hostName, i.nics);
      for (const vm of i.vms) a.adopt(vm, t0);
    }
    const busy = new Set<string>();
    tickTimer = setInterval(() => {
      const now = Date.now();
      for (const a of fleet.agents.values()) {
        if (busy.has(a.name) || down.has(a.name)) continue;
        busy.add(a.name);
        a.tick(now)
          .then(() => a.poll(now))
          .catch(() => {})
          .finally(() => busy.delete(a.name));
      }
    }, 250);
  }, 300_000);

  afterAll(async () => {
    clearInterval(tickTimer);
    await cluster?.stop();
    await admin?.end().catch(() => {});
    server?.stop();
  });

  const lease = () => readLease(admin);
  const leaderIndex = async (): Promise<number> => {
    const l = await lease();
    if (!l?.live) return -1;
    return cluster.instances.findIndex((x) => l.holder.startsWith(`${x.name}/`));
  };
  async function waitFor<T>(f: () => Promise<T | null | false | undefined> | T | null | false | undefined, ms: number, what: string): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await Promise.resolve()
        .then(f)
        .catch(() => null);
      if (v) return v;
      if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
      await sleep(50);
    }
  }
  /** The store's view of a VM (its commands and last events), for a failure message. */
  async function explain(vm: string): Promise<string> {
    const id = [...vmName].find(([, n]) => n === vm)?.[0];
    if (!id) return "";
    const cmds = (await admin.query('SELECT c."kind", c."status", h."name" AS "host", c."createdAt", c."sentAt", c."ackedAt", c."result" FROM "AgentCommand" c JOIN "Host" h ON h."id" = c."hostId" WHERE c."vmId" = $1 ORDER BY c."createdAt"', [id])).rows;
    const events = (await admin.query('SELECT "at", "kind", "message" FROM "Event" WHERE "vmId" = $1 ORDER BY "at" DESC LIMIT 12', [id])).rows.reverse();
    return JSON.stringify({ cmds, events }, null, 1);
  }
  /** null when every HA VM runs on exactly one live host and the store says so; else what is wrong. */
  async function divergence(opts: { pendingOk?: boolean } = {}): Promise<string | null> {
    const rows = (await admin.query<{ id: string; power: string; hostName: string | null }>('SELECT v."id", v."power", h."name" AS "hostName" FROM "Vm" v LEFT JOIN "Host" h ON h."id" = v."hostId" WHERE v."id" = ANY($1)', [haVms])).rows;
    for (const r of rows) {
      const on = fleet.hostsRunning(r.id);
      if (on.length > 1) return `${vmName.get(r.id)} RUNS TWICE on ${on.join(",")}`;
      // A VM no live host can run (pinned to the failed host's GPU, say) waits, placed nowhere.
      if (on.length === 0 && opts.pendingOk && r.hostName === null && r.power !== "running") continue;
      if (on.length !== 1) return `${vmName.get(r.id)} runs nowhere (store: ${r.power} on ${r.hostName})`;
      if (r.power !== "running" || r.hostName !== on[0]) return `${vmName.get(r.id)}: store ${r.power} on ${r.hostName}, fleet on ${on[0]}`;
    }
    return null;
  }
  let twice = 0;
  const watchTwice = setInterval(() => {
    if (!fleet) return;
    for (const id of haVms) if (fleet.hostsRunning(id).length > 1) twice++;
  }, 100);

  it(`kill -9 of the leader during a host failover, ${ROUNDS} times: a follower takes over within the lease, every VM converges, none runs twice`, async () => {
    await waitFor(async () => (await leaderIndex()) >= 0, 30_000, "a leader");
    await waitFor(async () => (await divergence()) === null, 60_000, "converged at start");
    const delays = points(13, ROUNDS, 4000);
    const takeovers: number[] = [];
    const hosts = [...fleet.agents.keys()];
    for (let round = 0; round < ROUNDS; round++) {
      // A host with HA VMs loses power; the leader dies somewhere in the failover.
      const victim = hosts.find((h) => haVms.some((id) => fleet.hostsRunning(id).includes(h)) && !down.has(h))!;
      fleet.get(victim).powerLoss(Date.now());
      down.add(victim);
      await sleep(delays[round]);
      const li = await leaderIndex();
      expect(li, `round ${round}: a leader`).toBeGreaterThanOrEqual(0);
      const before = Number((await lease())!.epoch);
      const t0 = performance.now();
      await cluster.kill(li);
      await waitFor(async () => {
        const l = await lease();
        return l && l.live && Number(l.epoch) > before;
      }, LEASE + 10_000, `round ${round}: takeover`);
      takeovers.push((performance.now() - t0) / 1000);
      await cluster.start(li);
      const problem = await waitFor(async () => ((await divergence({ pendingOk: true })) === null ? "ok" : null), 90_000, `round ${round}: converged`).catch(async (e) => {
        const d = await divergence({ pendingOk: true });
        return `${(e as Error).message}: ${d}\n${await explain(d?.split(" ")[0] ?? "")}\n${cluster.instances.map((x) => `--- ${x.name}\n${x.log.slice(-2500)}`).join("\n")}`;
      });
      expect(problem, `round ${round}`).toBe("ok");
      // The host comes back empty (its VMs run elsewhere now) and rejoins.
      fleet.get(victim).powerOn(Date.now());
      down.delete(victim);
      await cluster.waitHealthy(li, 120_000);
      // With it back, the VMs that waited for it run again: everything runs, once.
      const back = await waitFor(async () => ((await divergence()) === null ? "ok" : null), 90_000, `round ${round}: all running after ${victim} came back`).catch(async (e) => {
        const d = await divergence();
        return `${(e as Error).message}: ${d}\n${await explain(d?.split(" ")[0] ?? "")}`;
      });
      expect(back, `round ${round}`).toBe("ok");
    }
    console.error(`takeovers (s): ${takeovers.map((t) => t.toFixed(2)).join(" ")}`);
    for (const t of takeovers) expect(t).toBeLessThan(LEASE / 1000 + 1);
    expect(twice, "samples with a VM running on two hosts").toBe(0);
    // No incident duplicated: at most one open incident per host.
    const dup = await admin.query('SELECT "hostId", count(*) AS n FROM "Incident" WHERE "status" = \'open\' GROUP BY "hostId" HAVING count(*) > 1');
    expect(dup.rows).toEqual([]);
  }, 1_800_000);

  it("SIGSTOP of the leader's controller past the lease, then SIGCONT: it exits and the new leader keeps the lease", async () => {
    const li = await waitFor(async () => {
      const i = await leaderIndex();
      return i >= 0 ? i + 1 : null;
    }, 30_000, "a leader").then((x) => x - 1);
    const pid = cluster.controllerPid(li)!;
    expect(pid).toBeGreaterThan(0);
    const before = await lease();
    process.kill(pid, "SIGSTOP");
    const after = await waitFor(async () => {
      const l = await lease();
      return l && l.live && Number(l.epoch) > Number(before!.epoch) ? l : null;
    }, LEASE + 10_000, "takeover while stopped");
    await sleep(1000);
    process.kill(pid, "SIGCONT");
    await waitFor(() => cluster.controllerPid(li) !== pid, 15_000, "the resumed controller process exits");
    const now = await lease();
    expect(now!.epoch).toBe(after.epoch);
    expect(now!.holder).toBe(after.holder);
    await waitFor(async () => (await divergence()) === null, 60_000, "converged");
  }, 120_000);

  it("PostgreSQL down for 3 s: every instance answers 503, then all recover; nothing is lost", async () => {
    const vmsBefore = Number((await admin.query('SELECT count(*) AS n FROM "Vm"')).rows[0].n);
    await admin.end();
    server.stop({ immediate: true, keepData: true });
    const t0 = Date.now();
    const statuses = new Set<number>();
    while (Date.now() - t0 < 3000) {
      for (const x of cluster.instances) {
        const r = await fetch(`http://127.0.0.1:${x.port}/api/health`, { signal: AbortSignal.timeout(3000) }).catch(() => null);
        statuses.add(r?.status ?? 0);
      }
      await sleep(300);
    }
    server.start();
    expect([...statuses].every((s) => s === 503 || s === 0)).toBe(true);
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (let i = 0; i < 3; i++) await cluster.waitHealthy(i, 60_000);
    await waitFor(async () => (await leaderIndex()) >= 0, 30_000, "a leader again");
    await waitFor(async () => (await divergence()) === null, 90_000, "converged after the outage");
    expect(Number((await admin.query('SELECT count(*) AS n FROM "Vm"')).rows[0].n)).toBe(vmsBefore);
    clearInterval(watchTwice);
    expect(twice).toBe(0);
  }, 240_000);
});
