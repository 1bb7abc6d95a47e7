// Heartbeat ingest over HTTP against the PRODUCTION server, through both doors agents have: the
// dedicated agent listener (HAVEN_AGENT_PORT; the headline figures) and the Next route handler
// on the console's port (heartbeatNextRoute*). `next start` (build in
// NEXT_DIST_DIR, default .next-agent; built first when missing, or with HAVEN_BENCH_REBUILD=1)
// on a free port of 127.0.0.1 over a temporary store seeded with the demo cluster (10 hosts),
// demo fleet off. Every host gets a token and registers; autocannon then fires heartbeats
// (each connection cycling through the 10 hosts, each body carrying the host's VMs) for
// HAVEN_BENCH_HB_SECONDS (default 10) after a 5 s warm-up, and the server is stopped.
// HAVEN_BENCH_APP_DIR serves a build made in a copy of the sources instead of the checkout.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { createTempDb } from "../lib/sim/temp-db";
import { createDb } from "../lib/server/db";
import { seedDemo } from "../lib/server/seed";
import { freePort } from "./free-port";
import type { BenchModule } from "./run";

const ROOT = path.resolve(import.meta.dirname, "..");
/** Where the built app is served from: the checkout, or a copy (HAVEN_BENCH_APP_DIR) built apart from work in progress. */
const APP = process.env.HAVEN_BENCH_APP_DIR ? path.resolve(process.env.HAVEN_BENCH_APP_DIR) : ROOT;
const DIST = process.env.NEXT_DIST_DIR || ".next-agent";

/** user + system CPU time of a process (ms), from /proc (Linux); null elsewhere. */
function cpuMs(pid: number): number | null {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

async function ensureBuild(): Promise<void> {
  if (fs.existsSync(path.join(APP, DIST, "BUILD_ID")) && process.env.HAVEN_BENCH_REBUILD !== "1") return;
  if (APP !== ROOT) throw new Error(`no build in ${path.join(APP, DIST)}`);
  const { build } = await import("../scripts/lib/app-setup");
  console.error(`heartbeat bench: building into ${DIST}/`);
  if ((await build(DIST)) !== 0) throw new Error("next build failed");
}

async function waitHealthy(base: string, child: ChildProcess, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the server did not become healthy");
}

function fire(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

export async function run() {
  await ensureBuild();
  const tmp = createTempDb();
  const seeded = await seedDemo(tmp.db);
  const hostVms = new Map<string, { vmId: string; generation: number; state: "running" }[]>();
  for (const v of await tmp.db.vm.findMany({ where: { power: "running" }, select: { id: true, hostId: true, generation: true } })) {
    const l = hostVms.get(v.hostId!) ?? [];
    l.push({ vmId: v.id, generation: v.generation, state: "running" });
    hostVms.set(v.hostId!, l);
  }
  const nics = new Map<string, { name: string; linkUp: boolean }[]>();
  for (const n of await tmp.db.nic.findMany({ select: { hostId: true, name: true } })) {
    const l = nics.get(n.hostId) ?? [];
    l.push({ name: n.name, linkUp: true });
    nics.set(n.hostId, l);
  }
  await tmp.db.$disconnect();

  const port = await freePort();
  const agentPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const admin = randomBytes(24).toString("base64url");
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: APP,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: DIST, DATABASE_URL: `file:${tmp.file}`, HAVEN_DEMO: "0", HAVEN_AGENT_PORT: String(agentPort), HAVEN_AGENT_HOST: "127.0.0.1", HAVEN_ADMIN_TOKEN: admin, HAVEN_HEARTBEAT_RATE_LIMIT: "off", HAVEN_LOG_LEVEL: "warn", NEXT_TELEMETRY_DISABLED: "1" },
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const seconds = Number(process.env.HAVEN_BENCH_HB_SECONDS ?? 10);
  try {
    await waitHealthy(base, child);
    await waitHealthy(`http://127.0.0.1:${agentPort}`, child);
    const tr = await fetch(`${base}/api/v1/agent-tokens`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ limit: 1000 }) });
    if (!tr.ok) throw new Error(`token issue failed: ${tr.status} ${await tr.text()}`);
    const { tokens } = (await tr.json()) as { tokens: { hostId: string; hostName: string; token: string }[] };
    const requests: autocannon.Request[] = [];
    for (const t of tokens) {
      const rr = await fetch(`${base}/api/agent/v1/register`, { method: "POST", headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" }, body: JSON.stringify({ hostName: t.hostName, agentVersion: "bench" }) });
      if (!rr.ok) throw new Error(`register ${t.hostName}: ${rr.status} ${await rr.text()}`);
      const session = ((await rr.json()) as { token: string }).token;
      let seq = 0;
      const body = (s: number) => JSON.stringify({ hostId: t.hostId, seq: s, vms: hostVms.get(t.hostId) ?? [], nics: nics.get(t.hostId) ?? [], storageController: { healthy: true } });
      requests.push({ method: "POST", path: "/api/agent/v1/heartbeat", headers: { authorization: `Bearer ${session}`, "content-type": "application/json" }, setupRequest: (req) => ({ ...req, body: body(seq++) }) });
    }
    const db = createDb(`file:${tmp.file}`);
    const measure = async (url: string, label: string) => {
      const common = { url, connections: 32, pipelining: 1, requests, timeout: 10 } satisfies autocannon.Options;
      await fire({ ...common, duration: 5 });
      const since = new Date();
      const cpu0 = cpuMs(child.pid!);
      const res = await fire({ ...common, duration: seconds });
      const cpu1 = cpuMs(child.pid!);
      const storeEvents = await db.event.count({ where: { at: { gte: since } } });
      const ok = res["2xx"];
      const m = {
        perSecond: Math.round(ok / seconds),
        p99Ms: res.latency.p99,
        p50Ms: res.latency.p50,
        non2xx: res.non2xx + res.errors + res.timeouts,
        storeEvents,
        cpuUs: ok && cpu1 !== null && cpu0 !== null ? Math.round(((cpu1 - cpu0) * 1000) / ok) : null,
        perCore: ok && cpu1 !== null && cpu0 !== null && cpu1 > cpu0 ? Math.round(ok / ((cpu1 - cpu0) / 1000)) : null,
        load: Math.round(os.loadavg()[0] * 10) / 10,
      };
      console.error(
        `heartbeat via ${label}: ${m.perSecond}/s over ${seconds} s (${ok} ok, ${m.non2xx} not), p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms, ${common.connections} connections; server CPU ${m.cpuUs} µs per heartbeat (${m.perCore}/s per core); ${storeEvents} store events; load ${m.load}`,
      );
      return m;
    };
    const fast = await measure(`http://127.0.0.1:${agentPort}`, "the agent listener (HAVEN_AGENT_PORT)");
    const next = await measure(base, "the Next route (/api/agent/v1/heartbeat on the console port)");
    await db.$disconnect();
    return {
      heartbeatsPerSecond: fast.perSecond,
      heartbeatP99Ms: fast.p99Ms,
      heartbeatP50Ms: fast.p50Ms,
      heartbeatNon2xx: fast.non2xx + next.non2xx,
      /** Server CPU time per heartbeat (user + system of the server process), whatever else the machine runs. */
      heartbeatServerCpuUs: fast.cpuUs,
      heartbeatCapacityPerCore: fast.perCore,
      heartbeatNextRoutePerSecond: next.perSecond,
      heartbeatNextRouteP99Ms: next.p99Ms,
      heartbeatNextRouteServerCpuUs: next.cpuUs,
      heartbeatNextRouteCapacityPerCore: next.perCore,
      /** Controller events written while heartbeats were measured (0: a steady cluster). */
      heartbeatStoreEvents: fast.storeEvents + next.storeEvents,
      heartbeatSeconds: seconds,
      heartbeatHosts: seeded.counts.hosts,
      /** 1-minute load average at the end (the machine is shared). */
      heartbeatLoadAvg: next.load,
    };
  } catch (err) {
    console.error(stderr);
    throw err;
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
    await new Promise((r) => setTimeout(r, 500));
    await tmp.dispose();
  }
}

export const goals: BenchModule["goals"] = {
  heartbeatsPerSecond: { op: ">=", value: 5000 },
  heartbeatP99Ms: { op: "<", value: 50 },
  heartbeatNon2xx: { op: "<=", value: 0 },
};
