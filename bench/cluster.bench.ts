// Several console instances on one PostgreSQL store (issue 13), on a throwaway PostgreSQL server.
//  leaderTakeoverS: three instances' controller processes (forked and driven exactly as a console
//    does, lib/server/control/process.ts), lease HAVEN_BENCH_LEASE_MS (default 3000); the leader
//    is killed (-9) HAVEN_BENCH_TAKEOVERS times (default 5); each time, from the kill to the new
//    leader's controller answering "running" through another instance (its first step follows
//    within CONTROLLER_STEP_MS, 0.5 s). The median; leaderTakeoverMaxS the worst.
//  heartbeatsPerSecondCluster: three production instances (`next start` of the build in
//    HAVEN_CLUSTER_DIST, default .next-pg; skipped when it is missing), each with its agent
//    listener (HAVEN_AGENT_PORT; a follower's forwards to the leader), behind haproxy; autocannon
//    fires heartbeats of the demo cluster's 10 hosts through haproxy (32 connections, 5 s warm-up,
//    HAVEN_BENCH_HB_SECONDS, default 10).
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { migratePostgres } from "../lib/server/cluster/pg-migrate";
import { readLease } from "../lib/server/cluster/lease";
import { createDb } from "../lib/server/db";
import { seedDemo } from "../lib/server/seed";
import { ControllerProcess } from "../lib/server/control/process";
import { haproxyAvailable } from "../scripts/lib/haproxy";
import { distReady, startConsoleCluster } from "../scripts/lib/console-cluster";
import { startPostgres, type PostgresServer } from "../scripts/lib/postgres-server";
import type { BenchModule } from "./run";

const ROOT = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(f: () => Promise<T | null | false | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

async function takeover(server: PostgresServer) {
  const LEASE = Number(process.env.HAVEN_BENCH_LEASE_MS ?? 3000);
  const N = Number(process.env.HAVEN_BENCH_TAKEOVERS ?? 5);
  const url = await server.createDatabase("takeover");
  await migratePostgres(url);
  const db = createDb(url);
  await seedDemo(db);
  await db.$disconnect();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const procs: ControllerProcess[] = [];
  for (let i = 0; i < 3; i++) {
    const p = new ControllerProcess(
      path.join(ROOT, "lib", "server", "control", "main.ts"),
      { ...process.env, DATABASE_URL: url, HAVEN_INSTANCE: `b${i}`, HAVEN_LEASE_MS: String(LEASE), HAVEN_AUTH_SECRET: "bench-cluster-secret-0123456789abcdefgh", HAVEN_LOG_LEVEL: "error" },
      () => {},
    );
    p.start();
    procs.push(p);
  }
  const times: number[] = [];
  const elected: number[] = [];
  try {
    for (const p of procs) await p.waitReady(120_000);
    for (let k = 0; k < N; k++) {
      const l = await waitFor(async () => {
        const x = await readLease(admin);
        return x?.live ? x : null;
      }, 60_000, "a leader");
      const li = procs.findIndex((p, i) => l.holder === `b${i}/${p.pid()}`);
      if (li < 0) throw new Error(`leader ${l.holder} is none of ours`);
      // Everyone sees the controller running before the kill.
      await waitFor(async () => (await Promise.all(procs.map((p) => p.call("health", [], 3000) as Promise<{ controller: string }>))).every((h) => h.controller === "running"), 60_000, "all see the controller");
      const other = procs[(li + 1) % 3];
      const t0 = performance.now();
      process.kill(procs[li].pid()!, "SIGKILL");
      let electedAt = 0;
      await waitFor(async () => {
        const x = await readLease(admin);
        if (!x?.live || Number(x.epoch) <= Number(l.epoch)) return null;
        if (!electedAt) electedAt = performance.now();
        const h = (await other.call("health", [], 2000)) as { controller: string };
        return h.controller === "running";
      }, LEASE * 6, "takeover");
      times.push((performance.now() - t0) / 1000);
      elected.push((electedAt - t0) / 1000);
      console.error(`cluster bench: takeover ${k + 1}/${N} in ${times[times.length - 1].toFixed(2)} s (lease taken after ${elected[elected.length - 1].toFixed(2)} s; lease ${LEASE / 1000} s)`);
      await sleep(1500);
    }
  } finally {
    for (const p of procs) p.stop();
    await admin.end().catch(() => {});
    await sleep(500);
  }
  const s = [...times].sort((a, b) => a - b);
  const e = [...elected].sort((a, b) => a - b);
  return {
    leaderTakeoverS: s[Math.floor(s.length / 2)],
    leaderTakeoverMaxS: s[s.length - 1],
    /** Kill → the lease taken by another instance (median); the rest is the new controller loading the store. */
    leaderElectedS: e[Math.floor(e.length / 2)],
    leaderTakeoverLeaseS: LEASE / 1000,
    leaderTakeoverRuns: s.length,
    leaderTakeoverLoadAvg: Math.round(os.loadavg()[0] * 10) / 10,
  };
}

function fire(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

async function heartbeats(server: PostgresServer) {
  const DIST = process.env.HAVEN_CLUSTER_DIST || ".next-pg";
  if (!distReady(DIST) || !haproxyAvailable()) {
    console.error(`cluster bench: heartbeatsPerSecondCluster skipped (needs haproxy and a build in ${DIST}: NEXT_DIST_DIR=${DIST} npx next build)`);
    return {};
  }
  const url = await server.createDatabase("heartbeats");
  await migratePostgres(url);
  const db = createDb(url);
  await seedDemo(db);
  const hostVms = new Map<string, { vmId: string; generation: number; state: "running" }[]>();
  for (const v of await db.vm.findMany({ where: { power: "running" }, select: { id: true, hostId: true, generation: true } })) {
    const l = hostVms.get(v.hostId!) ?? [];
    l.push({ vmId: v.id, generation: v.generation, state: "running" });
    hostVms.set(v.hostId!, l);
  }
  const nics = new Map<string, { name: string; linkUp: boolean }[]>();
  for (const n of await db.nic.findMany({ select: { hostId: true, name: true } })) {
    const l = nics.get(n.hostId) ?? [];
    l.push({ name: n.name, linkUp: true });
    nics.set(n.hostId, l);
  }
  await db.$disconnect();
  const ADMIN = "bench-cluster-admin-0123456789abcdef";
  const cluster = await startConsoleCluster({
    dist: DIST,
    databaseUrl: url,
    env: { HAVEN_AUTH_SECRET: "bench-cluster-secret-0123456789abcdefgh", HAVEN_ADMIN_TOKEN: ADMIN, HAVEN_DEMO: "0", HAVEN_HEARTBEAT_RATE_LIMIT: "off", HAVEN_LOG_LEVEL: "warn" },
    // haproxy sends /api/agent/ to every instance's agent listener (the leader's answers, the
    // followers' forward to it), the rest to the consoles.
    agentPorts: true,
  });
  const seconds = Number(process.env.HAVEN_BENCH_HB_SECONDS ?? 10);
  try {
    for (let i = 0; i < 3; i++) await cluster.waitHealthy(i, 180_000);
    await sleep(2000); // haproxy marks them up
    const tr = await fetch(`${cluster.url}/api/v1/agent-tokens`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, body: JSON.stringify({ limit: 1000 }) });
    if (!tr.ok) throw new Error(`token issue failed: ${tr.status} ${await tr.text()}`);
    const { tokens } = (await tr.json()) as { tokens: { hostId: string; hostName: string; token: string }[] };
    const requests: autocannon.Request[] = [];
    for (const t of tokens) {
      const rr = await fetch(`${cluster.url}/api/agent/v1/register`, { method: "POST", headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" }, body: JSON.stringify({ hostName: t.hostName, agentVersion: "bench" }) });
      if (!rr.ok) throw new Error(`register ${t.hostName}: ${rr.status} ${await rr.text()}`);
      const session = ((await rr.json()) as { token: string }).token;
      let seq = 0;
      const body = (s: number) => JSON.stringify({ hostId: t.hostId, seq: s, vms: hostVms.get(t.hostId) ?? [], nics: nics.get(t.hostId) ?? [], storageController: { healthy: true } });
      requests.push({ method: "POST", path: "/api/agent/v1/heartbeat", headers: { authorization: `Bearer ${session}`, "content-type": "application/json" }, setupRequest: (req) => ({ ...req, body: body(seq++) }) });
    }
    if (process.env.HAVEN_BENCH_CLUSTER_DIRECT === "1") {
      // Diagnostics: each instance's agent listener directly (no haproxy), 3 s each.
      const lease = await (async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        const l = await readLease(c);
        await c.end();
        return l;
      })();
      for (const x of cluster.instances) {
        const r = await fire({ url: `http://127.0.0.1:${x.agentPort}`, connections: 32, pipelining: 1, requests, timeout: 10, duration: 3 });
        console.error(`cluster bench: ${x.name} agent port directly (${lease?.holder.startsWith(`${x.name}/`) ? "leader" : "follower"}): ${Math.round(r["2xx"] / 3)}/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non2xx ${r.non2xx}`);
      }
    }
    const common = { url: cluster.url, connections: 32, pipelining: 1, requests, timeout: 10 } satisfies autocannon.Options;
    await fire({ ...common, duration: 5 });
    const res = await fire({ ...common, duration: seconds });
    const out = {
      heartbeatsPerSecondCluster: Math.round(res["2xx"] / seconds),
      heartbeatClusterP99Ms: res.latency.p99,
      heartbeatClusterP50Ms: res.latency.p50,
      heartbeatClusterNon2xx: res.non2xx + res.errors + res.timeouts,
      heartbeatClusterLoadAvg: Math.round(os.loadavg()[0] * 10) / 10,
    };
    const codes = (res as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
    console.error(`cluster bench: status codes ${JSON.stringify(Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v.count])))}, errors ${res.errors}, timeouts ${res.timeouts}`);
    console.error(`cluster bench: ${out.heartbeatsPerSecondCluster} heartbeats/s through haproxy over 3 instances, p50 ${out.heartbeatClusterP50Ms} ms, p99 ${out.heartbeatClusterP99Ms} ms, ${out.heartbeatClusterNon2xx} not 2xx; load ${out.heartbeatClusterLoadAvg}`);
    return out;
  } finally {
    await cluster.stop();
  }
}

export async function run() {
  const server = await startPostgres();
  try {
    // HAVEN_BENCH_CLUSTER_PARTS=takeover|heartbeats runs one part only.
    const parts = process.env.HAVEN_BENCH_CLUSTER_PARTS ?? "takeover,heartbeats";
    const a = parts.includes("takeover") ? await takeover(server) : {};
    const b = parts.includes("heartbeats") ? await heartbeats(server) : {};
    return { ...a, ...b };
  } finally {
    server.stop();
  }
}

export const goals: BenchModule["goals"] = {
  leaderTakeoverS: { op: "<=", value: 4 },
  heartbeatsPerSecondCluster: { op: ">=", value: 5000 },
  heartbeatClusterP99Ms: { op: "<", value: 50 },
};
