// npm run sim -- --hosts 200 --url http://localhost:3000
// Runs simulated host agents against a RUNNING console over HTTP (the agent protocol of
// app/api/agent/v1), on the wall clock, until SIGINT or --duration seconds.
//
// Tokens: the console must run with HAVEN_ADMIN_TOKEN set; the simulator asks its admin API
// (POST /api/v1/agent-tokens) for a token per host — the first --hosts hosts by name, or the
// --names given — together with the VMs the store says run there, which each agent adopts. Each
// agent then registers with its token (and gets its own back), heartbeats, fetches and executes
// commands exactly like the in-process fleet. Issuing a token for a host retires the console's
// own demo agent for that host, so the two never drive one host at once.
import { Command } from "commander";
import { SimFleet } from "../lib/sim/fleet";
import type { SimAgent, SimObserver } from "../lib/sim/agent";
import { AgentHttpError, httpTransport } from "../lib/sim/http-transport";

const program = new Command()
  .name("sim")
  .description("Simulated host agents against a running Haven console")
  .option("--url <url>", "console base URL", process.env.HAVEN_URL ?? "http://localhost:3000")
  .option("--agent-url <url>", "where agents send their calls: the console's HAVEN_AGENT_PORT listener, if it runs one (default: --url)")
  .option("--hosts <n>", "how many hosts to simulate (the first by name)", (v) => parseInt(v, 10), 10)
  .option("--names <list>", "comma-separated host names instead of --hosts")
  .option("--admin-token <token>", "the console's HAVEN_ADMIN_TOKEN (default: $HAVEN_ADMIN_TOKEN)", process.env.HAVEN_ADMIN_TOKEN)
  .option("--duration <s>", "stop after this many seconds (default: until Ctrl-C)", (v) => parseFloat(v))
  .option("--tick <ms>", "agent tick period", (v) => parseInt(v, 10), 250)
  .option("--heartbeat <s>", "heartbeat interval (default: the console's)", (v) => parseFloat(v))
  .option("--quiet", "only the final summary")
  .parse();

const o = program.opts<{ url: string; agentUrl?: string; hosts: number; names?: string; adminToken?: string; duration?: number; tick: number; heartbeat?: number; quiet?: boolean }>();

function fail(msg: string): never {
  console.error(`sim: ${msg}`);
  process.exit(2);
}
if (!o.adminToken) fail("an admin token is needed to get agent tokens: start the console with HAVEN_ADMIN_TOKEN=<secret> and pass --admin-token or set HAVEN_ADMIN_TOKEN here too");
if (!o.names && !(o.hosts > 0)) fail("--hosts must be a positive number");

const base = o.url.replace(/\/+$/, "");
type Issued = { hostId: string; hostName: string; token: string; vms: { vmId: string; name: string; generation: number; haPriority: "high" | "medium" | "low" | "off"; vcpus: number; memoryMiB: number; deviceKeys: string[]; ips: string[] }[]; nics: string[] };
let issued: Issued[];
{
  const res = await fetch(`${base}/api/v1/agent-tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${o.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(o.names ? { hosts: o.names.split(",").map((s) => s.trim()).filter(Boolean), withVms: true } : { limit: o.hosts, withVms: true }),
  }).catch((e: Error) => fail(`cannot reach ${base}: ${e.message}`));
  const body = (await res.json().catch(() => null)) as { tokens?: Issued[]; detail?: string; title?: string; errors?: unknown } | null;
  if (!res.ok || !body?.tokens)
    fail(`the console refused to issue agent tokens (${res.status}): ${body?.detail ?? body?.title ?? "no detail"}${body?.errors ? ` ${JSON.stringify(body.errors)}` : ""}`);
  issued = body.tokens;
}
if (!o.names && issued.length < o.hosts) console.error(`sim: the console has ${issued.length} hosts; simulating those`);

const stats = { calls: new Map<string, { n: number; errors: number; unreachable: number; lat: number[] }>(), vmStarted: 0, vmStopped: 0 };
const agentBase = (o.agentUrl ?? base).replace(/\/+$/, "");
const transport = httpTransport({
  url: agentBase,
  tokens: new Map(issued.map((i) => [i.hostName, i.token])),
  onCall(op, ms, status) {
    const s = stats.calls.get(op) ?? { n: 0, errors: 0, unreachable: 0, lat: [] };
    s.n++;
    if (status === "unreachable") s.unreachable++;
    else if (status >= 400) s.errors++;
    if (s.lat.length < 200_000) s.lat.push(ms);
    stats.calls.set(op, s);
  },
});
let adopting = true;
const observer: SimObserver = {
  vmStarted: (vm, host) => {
    if (adopting) return;
    stats.vmStarted++;
    if (!o.quiet) console.log(`${new Date().toISOString()} ${host}: ${vm.name} running`);
  },
  vmStopped: (vm, host, cause) => {
    stats.vmStopped++;
    if (!o.quiet) console.log(`${new Date().toISOString()} ${host}: ${vm.name} stopped (${cause})`);
  },
};

// The console's timings come with a registration (the first host's; its agent registers again
// when it starts, with the token this answer carries).
const timing = { heartbeatMs: (o.heartbeat ?? 1) * 1000, isolationTimeoutMs: 20_000, vmStartMs: 5000, migrateMs: 2000 };
if (issued.length) {
  try {
    const r = await transport.register({ hostName: issued[0].hostName, agentVersion: "haven-sim" });
    Object.assign(timing, { heartbeatMs: (o.heartbeat ?? r.heartbeatS) * 1000, isolationTimeoutMs: r.isolationTimeoutS * 1000, vmStartMs: r.vmStartS * 1000, migrateMs: Math.min(2000, r.vmStartS * 1000) });
  } catch (e) {
    fail(`registering ${issued[0].hostName} failed: ${(e as Error).message}`);
  }
}
const fleet = new SimFleet(transport, timing, observer);
const t0 = Date.now();
for (const i of issued) {
  const a = fleet.add(i.hostName, i.nics);
  for (const vm of i.vms) a.adopt(vm, t0);
}
adopting = false;
const adopted = issued.reduce((n, i) => n + i.vms.length, 0);
console.error(`sim: ${fleet.agents.size} agents (running ${adopted} VMs) against ${agentBase} (heartbeat ${timing.heartbeatMs / 1000} s${o.duration ? `, for ${o.duration} s` : ", Ctrl-C to stop"})`);

const retired = new Set<string>();
const busy = new Set<string>();
const notBefore = new Map([...fleet.agents.keys()].map((n, i) => [n, t0 + Math.floor((i / Math.max(1, fleet.agents.size)) * timing.heartbeatMs)]));
async function runAgent(a: SimAgent, now: number) {
  if (busy.has(a.name) || now < (notBefore.get(a.name) ?? 0)) return;
  busy.add(a.name);
  try {
    await a.tick(now);
    await a.poll(now);
  } catch (err) {
    if (err instanceof AgentHttpError && err.status === 401) {
      fleet.agents.delete(a.name);
      retired.add(a.name);
      console.error(`sim: ${a.name}: token refused (revoked or replaced); this agent stops`);
    } else console.error(`sim: ${a.name}: ${(err as Error).message}`);
  } finally {
    busy.delete(a.name);
  }
}

let stopping = false;
const timer = setInterval(() => {
  const now = Date.now();
  for (const a of [...fleet.agents.values()]) void runAgent(a, now);
}, o.tick);

function pct(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
function summary(): string {
  const secs = (Date.now() - t0) / 1000;
  const lines = [`after ${secs.toFixed(1)} s: ${fleet.agents.size} agents (${retired.size} retired), VMs started ${stats.vmStarted}, stopped ${stats.vmStopped}`];
  for (const [op, s] of stats.calls) lines.push(`  ${op.padEnd(9)} ${String(s.n).padStart(7)} calls, ${s.errors} refused, ${s.unreachable} unreachable, p50 ${pct(s.lat, 50).toFixed(1)} ms, p99 ${pct(s.lat, 99).toFixed(1)} ms`);
  return lines.join("\n");
}
const report = o.quiet ? null : setInterval(() => console.error(summary()), 10_000);

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  if (report) clearInterval(report);
  const deadline = Date.now() + 3000;
  while (busy.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  console.error(summary());
  process.exit(code);
}
process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));
if (o.duration) setTimeout(() => void stop(0), o.duration * 1000);
