// Crash test: the console process (HA controller + agent listener, tests/support/controller-worker.ts)
// is SIGKILLed at seeded-random points of host-failure incidents — during detection, the countdown
// and the failover — and a new one is started on the same store each time. The simulated agents
// run in THIS process over HTTP and outlive every console, as real agents would. After the last
// restart the cluster must converge: every HA VM running on exactly one host, no VM ever seen on
// two hosts, no device or IP held twice, and every acknowledgement the console answered 200 to
// reflected in the store. CRASH_DEBUG=1 prints every VM stop and controller event with its time.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import type { TCommandAck } from "@/lib/schemas/agent";
import { importCluster } from "@/lib/server/cluster-import";
import { issueAgentTokens } from "@/lib/server/agent/tokens";
import { SimFleet } from "@/lib/sim/fleet";
import type { SimVm } from "@/lib/sim/agent";
import { httpTransport } from "@/lib/sim/http-transport";
import type { AgentTransport } from "@/lib/sim/transport";
import { createTestDb, type TestDb } from "../support/test-db";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKER = path.join(ROOT, "tests/support/controller-worker.ts");
const SEED = 0x5eed4;
// Short, but with room for a loaded 2-core machine: a healthy host must not miss 1.5 s of heartbeats.
// isolationTimeout < missed × heartbeat + failureTimeout (an isolated host fences itself first).
const TIMING = { heartbeat: 0.5, missedHeartbeats: 3, failureTimeout: 2.5, isolationTimeout: 3, vmStart: 0.3 };
const INCIDENTS = [
  { host: "h1", phases: ["detection", "detection", "countdown", "failover"] },
  { host: "h2", phases: ["detection", "countdown", "countdown", "failover"] },
  { host: "h3", phases: ["detection", "countdown", "failover", "failover"] },
] as const;
type Phase = (typeof INCIDENTS)[number]["phases"][number];

/** mulberry32: the kill points are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const spec: TClusterSpecInput = {
  cluster: { timing: TIMING },
  hosts: ["h1", "h2", "h3", "h4", "h5"].map((name) => ({
    name,
    cpus: 64,
    memoryGiB: 256,
    gpus: [{ model: "NVIDIA A40" }, { model: "NVIDIA A40" }],
    nics: [{ name: "ens1f0", role: "vm" as const, sriovVfs: 4, tag: "fast-net" }],
  })),
  networks: [{ name: "prod", vlan: 100, managed: true, cidr: "10.20.0.0/24", gateway: "10.20.0.1", pool: ["10.20.0.10", "10.20.0.250"] }],
  vms: [
    ...Array.from({ length: 12 }, (_, i) => ({
      name: `web${i + 1}`,
      vcpus: 2,
      memoryGiB: 4,
      host: `h${(i % 5) + 1}`,
      haPriority: (["high", "medium", "low"] as const)[i % 3],
      nics: [{ network: "prod" }],
    })),
    { name: "gpu1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high", devices: [{ type: "gpu", tag: "NVIDIA A40" }], nics: [{ network: "prod" }] },
    { name: "sriov1", vcpus: 4, memoryGiB: 8, host: "h2", haPriority: "high", devices: [{ type: "sriov", tag: "fast-net" }], nics: [{ network: "prod" }] },
    { name: "gpu2", vcpus: 4, memoryGiB: 16, host: "h3", haPriority: "medium", devices: [{ type: "gpu", tag: "NVIDIA A40" }], nics: [{ network: "prod" }] },
    { name: "batch1", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "off", nics: [{ network: "prod" }] },
  ],
};

interface Worker {
  proc: ChildProcess;
  warm: Promise<void>;
  ready: Promise<void>;
  exited: Promise<void>;
  go(): void;
}

const children = new Set<ChildProcess>();
const events: { at: number; kind: string; hostId: string | null; vmId: string | null }[] = [];
const workerErr: string[] = [];

function spawnWorker(url: string, port: number): Worker {
  const proc = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", WORKER], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, WORKER_PORT: String(port), WORKER_STEP_MS: "100", HAVEN_LOG_LEVEL: "error" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(proc);
  let onWarm!: () => void, onReady!: () => void, fail!: (e: Error) => void;
  const warm = new Promise<void>((res, rej) => ((onWarm = res), (fail = rej)));
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    const f = fail;
    fail = (e) => (f(e), rej(e));
  });
  warm.catch(() => {});
  ready.catch(() => {});
  const exited = new Promise<void>((res) => proc.once("exit", () => (children.delete(proc), res())));
  proc.once("exit", (code, sig) => fail(new Error(`worker exited (${code ?? sig}) before it was ready`)));
  readline.createInterface({ input: proc.stdout! }).on("line", (l) => {
    if (l === "warm") onWarm();
    else if (l === "ready") onReady();
    else if (l.startsWith("event ")) events.push({ at: Date.now(), ...JSON.parse(l.slice(6)) });
  });
  readline.createInterface({ input: proc.stderr! }).on("line", (l) => workerErr.push(l));
  return { proc, warm, ready, exited, go: () => proc.stdin!.write("go\n") };
}

let t: TestDb | null = null;
let stopLoop = false;

afterAll(async () => {
  stopLoop = true;
  for (const c of children) c.kill("SIGKILL");
  await Promise.all([...children].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r)))));
  await t?.cleanup();
});

describe("crash test: the console is killed at random points of incidents", () => {
  it("after every restart nothing acknowledged is lost and the cluster converges with no duplicates", { timeout: 150_000 }, async () => {
    const rand = rng(SEED);
    const T0 = Date.now();
    t = await createTestDb();
    const imported = await importCluster(t.db, spec, { now: new Date() });
    const hostIdName = new Map(Object.entries(imported.hostIds).map(([n, id]) => [id, n]));
    const issued = await issueAgentTokens(t.db, { hosts: Object.keys(imported.hostIds), withVms: true });
    const port = await freePort();

    // ---- agents in this process, over HTTP; acks the console answered 200 to are recorded
    const http = httpTransport({ url: `http://127.0.0.1:${port}`, tokens: new Map(issued.map((i) => [i.hostName, i.token])), timeoutMs: 1500 });
    const acked: { ack: TCommandAck; duplicate: boolean }[] = [];
    const transport: AgentTransport = {
      register: (r) => http.register(r),
      heartbeat: (tok, hb) => http.heartbeat(tok, hb),
      fetchCommands: (tok) => http.fetchCommands(tok),
      ack: async (tok, a) => {
        const r = await http.ack(tok, a);
        acked.push({ ack: a, duplicate: r.duplicate });
        return r;
      },
    };
    const stops: string[] = [];
    const fleet = new SimFleet(
      transport,
      { heartbeatMs: TIMING.heartbeat * 1000, isolationTimeoutMs: TIMING.isolationTimeout * 1000, vmStartMs: TIMING.vmStart * 1000, migrateMs: 500 },
      { vmStarted() {}, vmStopped: (vm, host, cause) => stops.push(`${((Date.now() - T0) / 1000).toFixed(2)} ${vm.name}@${host}:${cause}`) },
    );
    for (const i of issued) {
      const a = fleet.add(i.hostName, i.nics ?? []);
      for (const v of i.vms ?? []) a.adopt(v as SimVm, Date.now());
    }
    const haVms = (await t.db.vm.findMany({ where: { haPriority: { not: "off" } }, select: { id: true, name: true } })).map((v) => v.id);
    const vmName = new Map((await t.db.vm.findMany({ select: { id: true, name: true } })).map((v) => [v.id, v.name]));

    const violations: string[] = [];
    const agentErrors: string[] = [];
    const sample = () => {
      const where = new Map<string, string[]>();
      const devices = new Map<string, string>();
      const ips = new Map<string, string>();
      for (const a of fleet.agents.values()) {
        if (!a.up) continue;
        for (const vm of a.running.values()) {
          where.set(vm.vmId, [...(where.get(vm.vmId) ?? []), a.name]);
          for (const d of vm.deviceKeys) {
            if (devices.has(d) && devices.get(d) !== vm.vmId) violations.push(`device ${d} held by ${vmName.get(vm.vmId)} and ${vmName.get(devices.get(d)!)}`);
            devices.set(d, vm.vmId);
          }
          for (const ip of vm.ips) {
            if (ips.has(ip) && ips.get(ip) !== vm.vmId) violations.push(`IP ${ip} held by ${vmName.get(vm.vmId)} and ${vmName.get(ips.get(ip)!)}`);
            ips.set(ip, vm.vmId);
          }
        }
      }
      for (const [id, hosts] of where) if (hosts.length > 1) violations.push(`${vmName.get(id)} running on ${hosts.join(" and ")}`);
    };
    // The agents' loop on the wall clock (50 ms): periodic work, commands, then a sample.
    const runLoop = async () => {
      while (!stopLoop) {
        const now = Date.now();
        await Promise.all(
          [...fleet.agents.values()].map(async (a) => {
            try {
              await a.tick(now);
              await a.poll(now);
            } catch (err) {
              agentErrors.push(`${a.name}: ${(err as Error).message}`);
            }
          }),
        );
        sample();
        await sleep(50);
      }
    };

    // ---- the console: one running, one warm standby
    let active = spawnWorker(t.url, port);
    await active.warm;
    active.go();
    await active.ready;
    const loop = runLoop();
    let standby = spawnWorker(t.url, port);
    const kills: { at: number; incident: string; phase: Phase; reached: string; delayMs: number; downMs: number }[] = [];

    const seen = (host: string, kinds: string[], since: number) => events.some((e) => e.at >= since && e.hostId === imported.hostIds[host] && kinds.includes(e.kind));
    const seenVm = (kinds: string[], since: number) => events.some((e) => e.at >= since && e.vmId && kinds.includes(e.kind));
    const waitFor = async (cond: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!cond() && Date.now() < end) await sleep(20);
      return cond();
    };

    const converged = async (): Promise<string | null> => {
      for (const id of haVms) {
        const hosts = fleet.hostsRunning(id);
        if (hosts.length !== 1) return `${vmName.get(id)} runs on [${hosts.join(",")}]`;
      }
      const rows = await t!.db.vm.findMany({ where: { id: { in: haVms } }, select: { id: true, power: true, hostId: true } });
      for (const r of rows) {
        const onAgent = fleet.hostsRunning(r.id)[0];
        if (r.power !== "running" || hostIdName.get(r.hostId ?? "") !== onAgent) return `${vmName.get(r.id)} is ${r.power} on ${hostIdName.get(r.hostId ?? "")} in the store, runs on ${onAgent}`;
      }
      return null;
    };

    await sleep(1000); // agents registered and heartbeating
    expect(agentErrors).toEqual([]);
    const t0 = Date.now();

    for (const inc of INCIDENTS) {
      const start = Date.now();
      fleet.get(inc.host).powerLoss(start);
      for (const phase of inc.phases) {
        // Wait for the phase (it may be over already after earlier kills), then a seeded delay into it.
        let reached: boolean;
        let delayMs: number;
        if (phase === "detection") {
          reached = !seen(inc.host, ["host-unreachable", "countdown-started", "host-failed"], start);
          delayMs = Math.round(rand() * TIMING.missedHeartbeats * TIMING.heartbeat * 600);
        } else if (phase === "countdown") {
          reached = await waitFor(() => seen(inc.host, ["host-unreachable", "countdown-started"], start), 5000);
          delayMs = Math.round(rand() * TIMING.failureTimeout * 800);
        } else {
          reached = await waitFor(() => seen(inc.host, ["host-failed", "failover-planned"], start) || seenVm(["vm-planned", "vm-start-sent"], start), 8000);
          delayMs = Math.round(rand() * (TIMING.vmStart * 1000 + 300));
        }
        await sleep(delayMs);
        await standby.warm;
        const at = Date.now();
        const state = seen(inc.host, ["host-failed"], start) ? (seenVm(["vm-running"], start) ? "failover (some running)" : "failed") : seen(inc.host, ["host-unreachable", "countdown-started"], start) ? "countdown" : "detection";
        active.proc.kill("SIGKILL");
        await active.exited;
        standby.go();
        await standby.ready;
        kills.push({ at: at - T0, incident: inc.host, phase, reached: reached ? state : `not reached (${state})`, delayMs, downMs: Date.now() - at });
        active = standby;
        standby = spawnWorker(t.url, port);
      }
      const end = Date.now() + 30_000;
      let why: string | null = "not checked";
      while (Date.now() < end && (why = await converged())) await sleep(200);
      expect(why, `incident on ${inc.host} did not converge within 30 s after the last kill`).toBeNull();
    }

    // ---- checks after the last restart
    stopLoop = true;
    await loop;
    console.log(
      `crash test: ${kills.length} kills in ${((Date.now() - t0) / 1000).toFixed(1)} s; isolation responses ${[...fleet.agents.values()].reduce((n, a) => n + a.isolationResponses, 0)}\n` +
        kills.map((k) => `  ${(k.at / 1000).toFixed(2)} ${k.incident} ${k.phase.padEnd(9)} +${k.delayMs} ms → at ${k.reached}, console down ${k.downMs} ms`).join("\n"),
    );
    if (process.env.CRASH_DEBUG) console.log(stops.join("\n"), events.map((e) => `${((e.at - T0) / 1000).toFixed(2)} ${e.kind} ${hostIdName.get(e.hostId ?? "") ?? ""} ${vmName.get(e.vmId ?? "") ?? ""}`).join("\n"));
    expect(kills.length).toBeGreaterThanOrEqual(10);
    // The kills hit every stage of an incident (a console restart re-arms detection: one missed window of grace).
    expect(kills.filter((k) => k.reached === "detection").length).toBeGreaterThan(0);
    expect(kills.filter((k) => k.reached === "countdown").length).toBeGreaterThan(0);
    expect(kills.filter((k) => k.reached.startsWith("failed") || k.reached.startsWith("failover")).length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    expect(agentErrors).toEqual([]);
    expect(await converged()).toBeNull();

    // Every acknowledgement answered 200 is in the store; an acknowledged start is the VM's state.
    const cmds = new Map((await t.db.agentCommand.findMany()).map((c) => [c.id, c]));
    const vms = new Map((await t.db.vm.findMany({ include: { allocations: true, ipLeases: true, deviceRequests: true } })).map((v) => [v.id, v]));
    const lost: string[] = [];
    for (const { ack, duplicate } of acked) {
      const c = cmds.get(ack.commandId);
      if (!c) {
        lost.push(`ack of ${ack.commandId}: no command row`);
        continue;
      }
      if (!duplicate && c.status !== ack.status) lost.push(`${c.kind} ${ack.commandId} acked ${ack.status}, store says ${c.status}`);
      const vm = c.vmId ? vms.get(c.vmId) : undefined;
      if (c.kind === "start-vm" && ack.status === "done" && vm && vm.generation === c.generation && !(vm.power === "running" && vm.hostId === c.hostId))
        lost.push(`${vm.name}: start on ${hostIdName.get(c.hostId)} acked done, store says ${vm.power} on ${hostIdName.get(vm.hostId ?? "")}`);
    }
    expect(lost).toEqual([]);
    expect(acked.filter((a) => !a.duplicate && a.ack.status === "done").length).toBeGreaterThan(0);

    // No device or IP allocated twice in the store; every running VM holds what it asks for.
    const allocs = await t.db.deviceAllocation.findMany({ select: { deviceKey: true, vmId: true } });
    expect(new Set(allocs.map((a) => a.deviceKey)).size).toBe(allocs.length);
    const leases = await t.db.ipLease.findMany({ select: { networkId: true, address: true } });
    expect(new Set(leases.map((l) => `${l.networkId}|${l.address}`)).size).toBe(leases.length);
    for (const id of haVms) {
      const v = vms.get(id)!;
      const want = v.deviceRequests.reduce((n, r) => n + r.count, 0);
      expect(v.allocations.length, `${v.name} devices`).toBe(want);
      expect(v.ipLeases.length, `${v.name} IP leases`).toBe(1);
      // The agent runs the store's devices and IPs.
      const agent = fleet.get(fleet.hostsRunning(id)[0]).running.get(id)!;
      expect([...agent.deviceKeys].sort()).toEqual(v.allocations.map((a) => a.deviceKey).sort());
      expect(agent.ips).toEqual(v.ipLeases.map((l) => l.address));
    }
    // No start command left hanging; the failed hosts' incidents are closed.
    expect([...cmds.values()].filter((c) => c.status === "pending" || c.status === "sent" || c.status === "blocked").map((c) => `${c.kind} ${vmName.get(c.vmId ?? "")} ${c.status}`)).toEqual([]);
    const errs = workerErr.filter((l) => /"level":"error"/.test(l));
    expect(errs.slice(0, 5)).toEqual([]);
  });
});
