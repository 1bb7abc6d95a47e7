// Failure detection under page load and during a mass failure, against the PRODUCTION server
// (`next start` from the build in NEXT_DIST_DIR, default .next-dashboard-bench, shared with the
// dashboard bench) with the HA controller, the agent listener and the demo fleet in their own
// process, as `npm start` runs them.
//
// Part A — the demo cluster under page load: 200 signed-in sessions (one connection each) load
// the dashboard `/` as fast as the server answers for HAVEN_BENCH_LOAD_SECONDS (30). Meanwhile
// `/api/health` is probed every 100 ms on the console's port and on the agent listener, and a
// real HTTP agent (this process) heartbeats a host of its own every second to the agent listener.
//   falseUnreachableUnderLoad  hosts the controller declared unreachable during the load (goal 0)
//   healthP99MsUnderLoad       p99 of the HA controller's health (agent listener port) (< 500)
//   consoleHealthP99MsUnderLoad p99 of /api/health on the console's port (rendered by the page server)
//   heartbeatP99MsUnderLoad    p99 of the HTTP agent's heartbeats (< 100)
//   dashboardReqPerS, dashboardP99MsUnderLoad   the dashboard's throughput and p99 (≥ 100 req/s)
//
// Part B — 20 of 1,000 hosts lose power at once (the large cluster, its 1,000 simulated agents in
// the controller process; fault injected through POST /api/v1/demo/faults):
//   massFailureRecoveryS   wall clock from the fault until every VM of the failed hosts that the
//                          engine can place again runs elsewhere (goal ≤ 41 s with the default
//                          timings: detection 3 + countdown 30 + boot 5 + 3); VMs the engine
//                          cannot place (HA_REBUILD_FAILED) are counted apart
//   massFailureFalseUnreachable, massFailureHealthP99Ms, massFailureHeartbeatP99Ms
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { createTempDb, type TempDb } from "../lib/sim/temp-db";
import { seedDemo, seedLarge } from "../lib/server/seed";
import { issueAgentToken } from "../lib/server/agent/tokens";
import { createDb } from "../lib/server/db";
import { ensureBuild } from "./ensure-build";
import { freePort } from "./free-port";
import type { BenchModule } from "./run";

const ROOT = path.resolve(import.meta.dirname, "..");
const DIST = process.env.NEXT_DIST_DIR || ".next-dashboard-bench";
const LOAD_SECONDS = Number(process.env.HAVEN_BENCH_LOAD_SECONDS ?? 30);
const SESSIONS = Number(process.env.HAVEN_BENCH_SESSIONS ?? 200);
const SECRET = randomBytes(32).toString("base64url");
const PASSWORD = randomBytes(18).toString("base64url");
const EMAIL = "bench-admin@haven.test";

export const goals: BenchModule["goals"] = {
  falseUnreachableUnderLoad: { op: "<=", value: 0 },
  healthP99MsUnderLoad: { op: "<", value: 500 },
  heartbeatP99MsUnderLoad: { op: "<", value: 100 },
  dashboardReqPerS: { op: ">=", value: 100 },
  massFailureRecoveryS: { op: "<=", value: 41 },
  massFailureFalseUnreachable: { op: "<=", value: 0 },
  massFailureHealthP99Ms: { op: "<", value: 500 },
  massFailureHeartbeatP99Ms: { op: "<", value: 100 },
};

const r1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function p99(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)];
}

interface Console {
  base: string;
  agentBase: string;
  child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

async function startConsole(tmp: TempDb): Promise<Console> {
  const port = await freePort();
  const agentPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: DIST,
      DATABASE_URL: `file:${tmp.file}`,
      HAVEN_DEMO: "1",
      HAVEN_AGENT_PORT: String(agentPort),
      HAVEN_AGENT_HOST: "127.0.0.1",
      HAVEN_ADMIN_EMAIL: EMAIL,
      HAVEN_ADMIN_PASSWORD: PASSWORD,
      HAVEN_AUTH_SECRET: SECRET,
      HAVEN_INSECURE_COOKIES: "1",
      HAVEN_BASE_URL: base,
      HAVEN_LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-6000)));
  const agentBase = `http://127.0.0.1:${agentPort}`;
  const end = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > end) throw new Error(`the console did not become healthy: ${stderr}`);
    const ok = await Promise.all([base, agentBase].map((b) => fetch(`${b}/api/health`).then((r) => r.status === 200, () => false)));
    if (ok.every(Boolean)) break;
    await sleep(250);
  }
  return {
    base,
    agentBase,
    child,
    stderr: () => stderr,
    stop: async () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* gone */
      }
      await sleep(700);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    },
  };
}

/** `n` signed-in sessions of the bench admin (better-auth over the same store and secret as the server). */
async function sessionCookies(file: string, n: number): Promise<string[]> {
  process.env.HAVEN_AUTH_SECRET = SECRET;
  process.env.HAVEN_INSECURE_COOKIES = "1";
  const { getAuth } = await import("../lib/server/auth/auth");
  const db = createDb(`file:${file}`);
  const auth = getAuth(db);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = (await auth.api.signInEmail({ body: { email: EMAIL, password: PASSWORD, rememberMe: false }, asResponse: true })) as Response;
    const set = res.headers.getSetCookie().find((c) => /session_token=/.test(c));
    if (!set) throw new Error(`sign-in ${i} gave no session cookie (${res.status})`);
    out.push(set.split(";")[0]);
  }
  await db.$disconnect();
  return out;
}

/** Probes `url` every `everyMs` until `stop()`; a probe that fails or times out (10 s) counts 10 s. */
function probe(url: string, everyMs: number, init?: () => RequestInit): { stop: () => Promise<number[]> } {
  const lat: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = performance.now();
      try {
        const r = await fetch(url, { ...init?.(), signal: AbortSignal.timeout(10_000) });
        await r.arrayBuffer();
        lat.push(r.status < 500 || r.status === 503 ? performance.now() - s : 10_000);
      } catch {
        lat.push(10_000);
      }
      const left = everyMs - (performance.now() - s);
      if (left > 0) await sleep(left);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return lat;
    },
  };
}

/** A real HTTP agent heartbeating every second, and both health endpoints every 100 ms. */
function startProbes(c: Console, token: string, hostId: string): { stop: () => Promise<[number[], number[], number[]]> } {
  let seq = 1;
  const hb = probe(`${c.agentBase}/api/agent/v1/heartbeat`, 1000, () => ({
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ hostId, seq: seq++, vms: [], nics: [] }),
  }));
  const health = probe(`${c.agentBase}/api/health`, 100);
  const consoleHealth = probe(`${c.base}/api/health`, 100);
  return { stop: () => Promise.all([hb.stop(), health.stop(), consoleHealth.stop()]) };
}

function dashboardLoad(base: string, cookies: string[], seconds: number): Promise<autocannon.Result> {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${base}/`,
        connections: cookies.length,
        duration: seconds,
        timeout: 30,
        setupClient: (client) => client.setHeaders({ cookie: cookies[i++ % cookies.length] }),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

async function partA() {
  const tmp = createTempDb();
  await seedDemo(tmp.db);
  const cluster = await tmp.db.cluster.findFirstOrThrow({ select: { id: true } });
  await tmp.db.host.create({ data: { clusterId: cluster.id, name: "bench-agent", cpus: 8, memoryMiB: 16384 } });
  const { token, hostId } = await issueAgentToken(tmp.db, "bench-agent");
  await tmp.db.$disconnect();
  const c = await startConsole(tmp);
  try {
    const cookies = await sessionCookies(tmp.file, SESSIONS);
    const db = createDb(`file:${tmp.file}`);
    // Warm the dashboard (the engine view is built on the first request).
    for (let k = 0; k < 3; k++) {
      const r = await fetch(`${c.base}/`, { headers: { cookie: cookies[0] } });
      if (r.status !== 200 || !(await r.text()).includes('data-testid="ha-card"')) throw new Error(`GET / answered ${r.status} without the dashboard`);
    }
    await sleep(3000);
    const since = new Date();
    const probes = startProbes(c, token, hostId);
    const load = await dashboardLoad(c.base, cookies, LOAD_SECONDS);
    await sleep(4000); // a host that went silent during the load is declared after its window
    const [hbLat, hLat, chLat] = await probes.stop();
    const unreachable = await db.event.findMany({ where: { kind: "host-unreachable", at: { gte: since } }, select: { hostId: true } });
    await db.$disconnect();
    const out = {
      falseUnreachableUnderLoad: unreachable.length,
      healthP99MsUnderLoad: r1(p99(hLat)),
      consoleHealthP99MsUnderLoad: r1(p99(chLat)),
      heartbeatP99MsUnderLoad: r1(p99(hbLat)),
      dashboardReqPerS: Math.round(load["2xx"] / LOAD_SECONDS),
      dashboardP99MsUnderLoad: load.latency.p99,
      dashboardNon2xxUnderLoad: load.non2xx + load.errors + load.timeouts,
      dashboardSessions: cookies.length,
      loadSeconds: LOAD_SECONDS,
      loadAvgUnderLoad: r1(os.loadavg()[0]),
    };
    console.error(
      `detection A: ${out.falseUnreachableUnderLoad} hosts unreachable under load; controller health p99 ${out.healthP99MsUnderLoad} ms, console health p99 ${out.consoleHealthP99MsUnderLoad} ms, heartbeat p99 ${out.heartbeatP99MsUnderLoad} ms; dashboard ${out.dashboardReqPerS} req/s p99 ${out.dashboardP99MsUnderLoad} ms (${out.dashboardNon2xxUnderLoad} not 2xx), ${cookies.length} sessions, load ${out.loadAvgUnderLoad}`,
    );
    return out;
  } catch (e) {
    console.error(c.stderr());
    throw e;
  } finally {
    await c.stop();
    await tmp.dispose().catch(() => {});
  }
}

async function partB() {
  const tmp = createTempDb();
  await seedLarge(tmp.db);
  const cluster = await tmp.db.cluster.findFirstOrThrow({ select: { id: true } });
  await tmp.db.host.create({ data: { clusterId: cluster.id, name: "zz-bench-agent", cpus: 8, memoryMiB: 16384 } });
  const { token, hostId } = await issueAgentToken(tmp.db, "zz-bench-agent");
  // 20 hosts carrying running HA VMs, spread over the cluster.
  const candidates = await tmp.db.host.findMany({ where: { vms: { some: { power: "running", haPriority: { not: "off" } } } }, select: { id: true, name: true }, orderBy: { name: "asc" } });
  const failed = Array.from({ length: 20 }, (_, i) => candidates[Math.floor((i * candidates.length) / 20)]);
  const failedIds = new Set(failed.map((h) => h.id));
  const vms = await tmp.db.vm.findMany({ where: { hostId: { in: [...failedIds] }, power: "running", haPriority: { not: "off" } }, select: { id: true } });
  const vmIds = vms.map((v) => v.id);
  await tmp.db.$disconnect();
  const c = await startConsole(tmp);
  try {
    const [cookie] = await sessionCookies(tmp.file, 1);
    const db = createDb(`file:${tmp.file}`);
    // Let the fleet settle: every simulated agent has heartbeated (no host unreachable for 10 s).
    await sleep(10_000);
    const probes = startProbes(c, token, hostId);
    const since = new Date();
    const t0 = performance.now();
    await Promise.all(
      failed.map(async (h) => {
        const r = await fetch(`${c.base}/api/v1/demo/faults`, { method: "POST", headers: { cookie, origin: c.base, "content-type": "application/json" }, body: JSON.stringify({ action: "host-down", host: h.name }) });
        if (r.status !== 200) throw new Error(`host-down ${h.name}: ${r.status} ${await r.text()}`);
      }),
    );
    let recoveredS = NaN;
    let running = 0;
    let unplaceable = 0;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      await sleep(500);
      const rows: { id: string; power: string; hostId: string | null }[] = [];
      for (let i = 0; i < vmIds.length; i += 400) rows.push(...(await db.vm.findMany({ where: { id: { in: vmIds.slice(i, i + 400) } }, select: { id: true, power: true, hostId: true } })));
      const rebuildFailed = new Set(
        (await db.alert.findMany({ where: { kind: "HA_REBUILD_FAILED", status: { not: "resolved" }, entityType: "vm" }, select: { entityId: true } })).map((a) => a.entityId),
      );
      running = rows.filter((r) => r.power === "running" && r.hostId && !failedIds.has(r.hostId)).length;
      unplaceable = rows.filter((r) => r.power !== "running" && rebuildFailed.has(r.id)).length;
      if (running + unplaceable === vmIds.length && running > 0) {
        recoveredS = (performance.now() - t0) / 1000;
        break;
      }
    }
    const [hbLat, hLat, chLat] = await probes.stop();
    const unreachable = await db.event.findMany({ where: { kind: "host-unreachable", at: { gte: since } }, select: { hostId: true } });
    await db.$disconnect();
    const out = {
      massFailureRecoveryS: r1(recoveredS),
      massFailureVms: vmIds.length,
      massFailureVmsRunning: running,
      massFailureVmsUnplaceable: unplaceable,
      massFailureFalseUnreachable: unreachable.filter((u) => u.hostId && !failedIds.has(u.hostId)).length,
      massFailureHealthP99Ms: r1(p99(hLat)),
      massFailureConsoleHealthP99Ms: r1(p99(chLat)),
      massFailureHeartbeatP99Ms: r1(p99(hbLat)),
      massFailureLoadAvg: r1(os.loadavg()[0]),
    };
    console.error(
      `detection B: 20 of 1,000 hosts down → ${out.massFailureVmsRunning}/${out.massFailureVms} VMs running elsewhere, ${out.massFailureVmsUnplaceable} unplaceable, in ${out.massFailureRecoveryS} s; ${out.massFailureFalseUnreachable} other hosts unreachable; controller health p99 ${out.massFailureHealthP99Ms} ms, console health p99 ${out.massFailureConsoleHealthP99Ms} ms, heartbeat p99 ${out.massFailureHeartbeatP99Ms} ms; load ${out.massFailureLoadAvg}`,
    );
    return out;
  } catch (e) {
    console.error(c.stderr());
    throw e;
  } finally {
    await c.stop();
    await tmp.dispose().catch(() => {});
  }
}

export async function run() {
  await ensureBuild(DIST, "detection bench");
  const parts = (process.env.HAVEN_BENCH_DETECTION_PARTS ?? "A,B").split(",");
  return {
    ...(parts.includes("A") ? await partA() : {}),
    ...(parts.includes("B") ? await partB() : {}),
  };
}
