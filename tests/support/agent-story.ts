// The real-agent story's harness: a console (the production build through scripts/start.ts, or the
// HA controller process alone for benchmarks and development), a store imported from a cluster
// spec (no demo mode), and one `haven-agent run` process per host — each with its own fake sysfs
// root and state directory, all sharing this machine's real libvirtd (KVM, or TCG without
// /dev/kvm), each reaching the console through its own TCP proxy (cut it to isolate the host).
// A sampler reads `virsh list` every 250 ms and records any VM that runs on two hosts at once.
import { execFile, fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { domainName } from "../../lib/agent/domain-xml";
import { buildFakeSysfs } from "./fake-sysfs";
import { ensureLibvirtd, virshList, type LibvirtdHandle } from "./libvirtd";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

export interface StoryVm {
  name: string;
  host: string;
  haPriority?: "high" | "medium" | "low" | "off";
  memoryMiB?: number;
}

export interface StoryTiming {
  heartbeat: number;
  missedHeartbeats: number;
  failureTimeout: number;
  isolationTimeout: number;
  vmStart: number;
}

export interface StoryOptions {
  /** Short host names ("a", "b", "c"); the store's are prefixed with a run tag. */
  hosts: string[];
  vms: StoryVm[];
  timing: StoryTiming;
  console: { kind: "production"; distDir: string } | { kind: "controller" };
  log?: (line: string) => void;
  /** Keep the temp dir (store, agent logs) after teardown. */
  keep?: boolean;
}

export interface Violation {
  at: number;
  vm: string;
  hosts: string[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function sh(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { timeout: 30_000, env: { ...process.env, LC_ALL: "C" } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) })),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP proxy to the console that can be cut (the host loses the console) and restored. */
class CuttableProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  cut = false;
  port = 0;
  constructor(private readonly target: number) {}
  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.cut) return client.destroy();
      const upstream = net.connect(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    this.port = await freePort();
    await new Promise<void>((r) => this.server!.listen(this.port, "127.0.0.1", () => r()));
  }
  setCut(cut: boolean): void {
    this.cut = cut;
    if (cut) for (const s of this.sockets) s.destroy();
  }
  async close(): Promise<void> {
    this.setCut(true);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

function alive(pid: number | null | undefined): pid is number {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stories whose test process died before their teardown (a runner that killed its worker) leave
 * their console, agents and guests behind: stop those (by the pids and domain prefix they recorded)
 * and remove their directories. Only stories whose owner process is gone are touched.
 */
export async function reapAbandonedStories(): Promise<void> {
  for (const d of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("haven-agent-story-"))) {
    const dir = path.join(os.tmpdir(), d);
    let owner: { pid: number; tag: string };
    try {
      owner = JSON.parse(fs.readFileSync(path.join(dir, "owner.json"), "utf8"));
    } catch {
      continue;
    }
    if (alive(owner.pid)) continue;
    try {
      const pids = JSON.parse(fs.readFileSync(path.join(dir, "pids.json"), "utf8")) as { consoleGroup: number | null; console: number | null; agents: (number | null)[] };
      for (const a of pids.agents) if (alive(a)) process.kill(a, "SIGKILL");
      if (alive(pids.consoleGroup)) process.kill(-pids.consoleGroup, "SIGTERM");
      else if (alive(pids.console)) process.kill(pids.console, "SIGTERM");
    } catch {
      /* nothing recorded */
    }
    for (const n of await virshList().catch(() => [] as string[])) if (n.startsWith(`haven-${owner.tag}`)) await sh("virsh", ["destroy", n]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export class AgentStory {
  readonly tag = `s${(Date.now() % 1e8).toString(36)}${process.pid.toString(36)}`;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-agent-story-"));
  readonly dbFile = path.join(this.dir, "store.db");
  readonly adminToken = `story-admin-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  hostIds: Record<string, string> = {};
  vmIds: Record<string, string> = {};
  libvirt: LibvirtdHandle | null = null;
  consoleUrl = "";
  private consoleProc: ChildProcess | null = null;
  private agentTarget = 0;
  private proxies = new Map<string, CuttableProxy>();
  private agents = new Map<string, ChildProcess>();
  private tokens: Record<string, string> = {};
  private sampler: ReturnType<typeof setInterval> | null = null;
  private sampling = false;
  private byDomain = new Map<string, { host: string; vm: string }>();
  readonly violations: Violation[] = [];
  samples = 0;
  sampleErrors = 0;
  /** VM name → hosts it runs on, from the latest `virsh list`. */
  placement = new Map<string, string[]>();
  private log: (line: string) => void;

  constructor(readonly o: StoryOptions) {
    if (process.env.HAVEN_STORY_KEEP === "1") o.keep = true;
    this.log = o.log ?? (() => {});
  }

  host(short: string): string {
    return `${this.tag}${short}`;
  }

  get hosts(): string[] {
    return this.o.hosts.map((h) => this.host(h));
  }

  /** Store, libvirtd, console, tokens, proxies and agents; returns when every agent has registered. */
  async setup(): Promise<void> {
    await reapAbandonedStories();
    fs.writeFileSync(path.join(this.dir, "owner.json"), JSON.stringify({ pid: process.pid, tag: this.tag }));
    this.libvirt = await ensureLibvirtd();
    this.log(`libvirtd ${this.libvirt.started ? "started" : "already running"} (${this.libvirt.kvm ? "KVM" : "TCG: no /dev/kvm"})`);
    await this.prepareStore();
    const healthUrl = await this.spawnConsole();
    for (const h of this.hosts) for (const v of this.o.vms) this.byDomain.set(domainName(h, v.name), { host: h, vm: v.name });
    for (const h of this.hosts) {
      const p = new CuttableProxy(this.agentTarget);
      await p.start();
      this.proxies.set(h, p);
    }
    // The agents start with the console (they retry registering until their token file holds the
    // token an admin issues): the controller counts silence from its own start, so agents that
    // came up only after it could be declared failed before their first heartbeat.
    for (const [h, t] of Object.entries(this.tokens)) this.writeToken(h, t);
    for (const short of this.o.hosts) this.startAgent(this.host(short));
    this.recordPids();
    await this.waitHealthy(healthUrl, 120_000);
    if (this.o.console.kind === "production") {
      for (const h of this.hosts) {
        this.tokens[h] = await this.issueToken(h);
        this.writeToken(h, this.tokens[h]);
      }
    }
    this.log(`console (${this.o.console.kind}) at ${this.consoleUrl}; tokens issued`);
    this.startSampler();
  }

  /** POST /api/v1/hosts/{name}/agent-token with HAVEN_ADMIN_TOKEN, as an admin's script does (3 tries of 20 s). */
  private async issueToken(host: string): Promise<string> {
    let last = "";
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const r = await fetch(`${this.consoleUrl}/api/v1/hosts/${encodeURIComponent(host)}/agent-token`, {
          method: "POST",
          headers: { authorization: `Bearer ${this.adminToken}` },
          signal: AbortSignal.timeout(20_000),
        });
        if (r.status === 201) return ((await r.json()) as { token: string }).token;
        last = `${r.status} ${await r.text()}`;
        if (r.status < 500) break;
      } catch (e) {
        last = (e as Error).message;
      }
      this.log(`issuing the agent token of ${host}: ${last}; again`);
    }
    throw new Error(`issuing the agent token of ${host}: ${last}`);
  }

  private tokenFile(host: string): string {
    return path.join(this.dir, `token-${host}`);
  }

  private writeToken(host: string, token: string): void {
    fs.writeFileSync(`${this.tokenFile(host)}.tmp`, token + "\n", { mode: 0o600 });
    fs.renameSync(`${this.tokenFile(host)}.tmp`, this.tokenFile(host));
  }

  private spec(): unknown {
    return {
      cluster: {
        haMode: "default",
        timing: this.o.timing,
      },
      hosts: this.o.hosts.map((h) => ({ name: this.host(h), cpus: 16, memoryGiB: 8, storageController: true })),
      vms: this.o.vms.map((v) => ({ name: v.name, vcpus: 1, memoryMiB: v.memoryMiB ?? 64, host: this.host(v.host), haPriority: v.haPriority ?? "high" })),
    };
  }

  private async prepareStore(): Promise<void> {
    const specFile = path.join(this.dir, "spec.json");
    fs.writeFileSync(specFile, JSON.stringify(this.spec(), null, 2));
    const args = ["--import", "tsx", "--conditions=react-server", "tests/support/agent-story-store.ts", this.dbFile, specFile];
    if (this.o.console.kind === "controller") args.push("--issue-tokens");
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: "production" } }, (err, stdout, stderr) => (err ? reject(new Error(`store preparation failed: ${stderr || err.message}`)) : resolve(String(stdout))));
    });
    const r = JSON.parse(out.trim().split("\n").pop()!);
    this.hostIds = r.hostIds;
    this.vmIds = r.vmIds;
    if (r.tokens) this.tokens = r.tokens;
    this.log(`store ${this.dbFile}: ${Object.keys(this.hostIds).length} hosts, ${Object.keys(this.vmIds).length} VMs`);
  }

  /** Spawns the console; returns the health URL to wait for. */
  private async spawnConsole(): Promise<string> {
    const agentPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: `file:${this.dbFile}`,
      HAVEN_AGENT_PORT: String(agentPort),
      HAVEN_AGENT_HOST: "127.0.0.1",
      HAVEN_ADMIN_TOKEN: this.adminToken,
      HAVEN_DEMO: "0",
      NEXT_TELEMETRY_DISABLED: "1",
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    };
    const logFile = fs.openSync(path.join(this.dir, "console.log"), "a");
    try {
      if (this.o.console.kind === "production") {
        const port = await freePort();
        env.PORT = String(port);
        env.NEXT_DIST_DIR = this.o.console.distDir;
        this.consoleUrl = `http://127.0.0.1:${port}`;
        // scripts/start.ts, as `npm start` runs it (the store is migrated and not empty: no seed; the
        // test runner has just built distDir). HAVEN_STORY_NEXT_START=1 runs `next start` on the build
        // as it is instead (development: no rebuild when other sources changed meanwhile).
        const direct = process.env.HAVEN_STORY_NEXT_START === "1";
        this.consoleProc = direct
          ? spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port)], { cwd: ROOT, env: { ...env, NODE_ENV: "production" }, detached: true, stdio: ["ignore", logFile, logFile] })
          : spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["--conditions=react-server", "scripts/start.ts"], { cwd: ROOT, env, detached: true, stdio: ["ignore", logFile, logFile] });
        // The agents use the console's own port (the Next routes forward to the controller process).
        this.agentTarget = port;
        return `${this.consoleUrl}/api/health`;
      }
      this.consoleProc = fork(path.join(ROOT, "lib", "server", "control", "main.ts"), [], {
        cwd: ROOT,
        env,
        execArgv: ["--import", "tsx", "--conditions=react-server"],
        stdio: ["ignore", logFile, logFile, "ipc"],
      });
      this.consoleUrl = `http://127.0.0.1:${agentPort}`;
      this.agentTarget = agentPort;
      return `${this.consoleUrl}/api/health`;
    } finally {
      fs.closeSync(logFile);
    }
  }

  private async waitHealthy(url: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
      if (this.consoleProc && this.consoleProc.exitCode !== null) throw new Error(`the console exited (${this.consoleProc.exitCode}); log: ${path.join(this.dir, "console.log")}\n${this.tail("console.log")}`);
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
        const body = (await r.json().catch(() => ({}))) as { controller?: string };
        if (r.status === 200 && (body.controller === undefined || body.controller === "running")) return;
        last = `${r.status} ${JSON.stringify(body)}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(500);
    }
    throw new Error(`the console did not become healthy at ${url} (${last}); log:\n${this.tail("console.log")}`);
  }

  tail(file: string, n = 3000): string {
    try {
      const t = fs.readFileSync(path.join(this.dir, file), "utf8");
      return t.slice(-n);
    } catch {
      return "";
    }
  }

  /** Starts (or restarts) a host's agent: its own sysfs root, state dir and proxy. */
  startAgent(host: string): void {
    const sysfs = path.join(this.dir, `sysfs-${host}`);
    if (!fs.existsSync(sysfs)) {
      fs.mkdirSync(sysfs);
      buildFakeSysfs(
        {
          gpus: [{ address: "0000:af:00.0", device: 0x27b8, driver: "vfio-pci", serial: `00-00-27-b8-00-00-00-${(this.agents.size + 1).toString(16).padStart(2, "0")}` }],
          nics: [{ name: "eth0", address: "0000:18:00.0", mac: `b8:ce:f6:00:00:${(this.agents.size + 16).toString(16)}`, speedMbps: 25000 }],
        },
        sysfs,
      );
    }
    const args = [
      "--import",
      "tsx",
      "lib/agent/main.ts",
      "run",
      "--console",
      `http://127.0.0.1:${this.proxies.get(host)!.port}`,
      "--token-file",
      this.tokenFile(host),
      "--name",
      host,
      "--libvirt",
      this.libvirt!.uri,
      "--sysfs-root",
      sysfs,
      "--state-dir",
      path.join(this.dir, `state-${host}`),
      "--virt-type",
      this.libvirt!.kvm ? "kvm" : "qemu",
      "--stop-timeout",
      "0",
    ];
    const log = fs.openSync(path.join(this.dir, `agent-${host}.log`), "a");
    const p = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    this.agents.set(host, p);
    if (this.consoleProc) this.recordPids();
  }

  /** The processes of this story, for reapAbandonedStories when the test process dies before its teardown. */
  private recordPids(): void {
    const pids = { consoleGroup: this.o.console.kind === "production" ? (this.consoleProc?.pid ?? null) : null, console: this.consoleProc?.pid ?? null, agents: [...this.agents.values()].map((p) => p.pid ?? null) };
    fs.writeFileSync(path.join(this.dir, "pids.json"), JSON.stringify(pids));
  }

  agentLog(host: string): string {
    return this.tail(`agent-${host}.log`, 6000);
  }

  // ------------------------------------------------------------------ faults

  /** Power loss of a host: its agent is killed and its guests destroyed at once. Returns the time. */
  async powerLoss(host: string): Promise<number> {
    const at = Date.now();
    this.agents.get(host)?.kill("SIGKILL");
    const mine = (await virshList()).filter((n) => this.byDomain.get(n)?.host === host);
    await Promise.all(mine.map((n) => sh("virsh", ["-c", this.libvirt!.uri, "destroy", n])));
    this.log(`power loss of ${host}: agent killed, ${mine.length} guests destroyed`);
    return at;
  }

  /** kill -9 of a VM's QEMU on the host where it runs. */
  async killGuest(vm: string): Promise<{ host: string; at: number }> {
    const name = (await virshList()).find((n) => this.byDomain.get(n)?.vm === vm);
    if (!name) throw new Error(`${vm} is not running`);
    const pid = Number(fs.readFileSync(`/run/libvirt/qemu/${name}.pid`, "utf8").trim());
    const at = Date.now();
    process.kill(pid, "SIGKILL");
    this.log(`kill -9 of ${vm} (QEMU ${pid} on ${this.byDomain.get(name)!.host})`);
    return { host: this.byDomain.get(name)!.host, at };
  }

  /** The host loses the console (its proxy refuses and drops connections) or gets it back. */
  isolate(host: string, cut = true): number {
    this.proxies.get(host)!.setCut(cut);
    this.log(`${host} ${cut ? "cut off from" : "reconnected to"} the console`);
    return Date.now();
  }

  // ------------------------------------------------------------------ observation

  private startSampler(): void {
    this.sampler = setInterval(() => {
      this.sample().catch((e) => {
        this.sampleErrors++;
        if (this.sampleErrors <= 3) this.log(`virsh list failed: ${(e as Error).message}`);
      });
    }, 250);
  }

  async sample(): Promise<Map<string, string[]>> {
    if (this.sampling) return this.placement;
    this.sampling = true;
    try {
      const names = await virshList();
      const placement = new Map<string, string[]>();
      for (const n of names) {
        const d = this.byDomain.get(n);
        if (!d) continue;
        placement.set(d.vm, [...(placement.get(d.vm) ?? []), d.host]);
      }
      this.samples++;
      for (const [vm, hosts] of placement) if (hosts.length > 1) this.violations.push({ at: Date.now(), vm, hosts });
      this.placement = placement;
      return placement;
    } finally {
      this.sampling = false;
    }
  }

  /** Polls fresh samples until `pred(placement)` holds. */
  async until(pred: (p: Map<string, string[]>) => boolean, timeoutMs: number, what: string): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const p = await this.sample();
      if (pred(p)) return Date.now();
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; virsh list says ${JSON.stringify([...p])}`);
      await sleep(100);
    }
  }

  /** The store's view: VM name → {host, power, generation}. */
  storeVms(): Map<string, { host: string | null; power: string; generation: number }> {
    const db = new Database(this.dbFile, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT v.name AS name, h.name AS host, v.power AS power, v.generation AS generation FROM "Vm" v LEFT JOIN "Host" h ON h.id = v.hostId').all() as { name: string; host: string | null; power: string; generation: number }[];
      return new Map(rows.map((r) => [r.name, { host: r.host, power: r.power, generation: r.generation }]));
    } finally {
      db.close();
    }
  }

  /** The store's reconciliation of each host's devices: found (DiscoveredDevice) and missing (Gpu/Nic.missingSince), by host name. */
  devices(): Map<string, { discovered: string[]; missing: string[] }> {
    const db = new Database(this.dbFile, { readonly: true, fileMustExist: true });
    try {
      const found = db.prepare('SELECT h.name AS host, d.kind || \':\' || d.name AS dev FROM "DiscoveredDevice" d JOIN "Host" h ON h.id = d.hostId ORDER BY 2').all() as { host: string; dev: string }[];
      const missing = db
        .prepare('SELECT h.name AS host, \'gpu:\' || g.name AS dev FROM "Gpu" g JOIN "Host" h ON h.id = g.hostId WHERE g.missingSince IS NOT NULL UNION ALL SELECT h.name, \'nic:\' || n.name FROM "Nic" n JOIN "Host" h ON h.id = n.hostId WHERE n.missingSince IS NOT NULL')
        .all() as { host: string; dev: string }[];
      const out = new Map(this.hosts.map((h) => [h, { discovered: [] as string[], missing: [] as string[] }]));
      for (const r of found) out.get(r.host)?.discovered.push(r.dev);
      for (const r of missing) out.get(r.host)?.missing.push(r.dev);
      return out;
    } finally {
      db.close();
    }
  }

  /** Start commands created since `sinceMs` and acknowledged done: when created, sent and acknowledged (ms since epoch). */
  starts(sinceMs = 0): { vm: string; createdAt: number; sentAt: number; ackedAt: number }[] {
    const db = new Database(this.dbFile, { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare(`SELECT v.name AS vm, c.createdAt AS createdAt, c.sentAt AS sentAt, c.ackedAt AS ackedAt FROM "AgentCommand" c JOIN "Vm" v ON v.id = c.vmId WHERE c.kind = 'start-vm' AND c.status = 'done' AND c.sentAt IS NOT NULL AND c.ackedAt IS NOT NULL`)
        .all() as { vm: string; createdAt: string | number; sentAt: string | number; ackedAt: string | number }[];
      const t = (x: string | number) => (typeof x === "number" ? x : Date.parse(x));
      return rows.map((r) => ({ vm: r.vm, createdAt: t(r.createdAt), sentAt: t(r.sentAt), ackedAt: t(r.ackedAt) })).filter((r) => r.createdAt >= sinceMs);
    } finally {
      db.close();
    }
  }

  async teardown(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    for (const p of this.agents.values()) if (p.exitCode === null) p.kill("SIGKILL");
    for (const n of await virshList().catch(() => [] as string[])) if (n.startsWith(`haven-${this.tag}`)) await sh("virsh", ["-c", this.libvirt?.uri ?? "qemu:///system", "destroy", n]);
    for (const p of this.proxies.values()) await p.close();
    const c = this.consoleProc;
    if (c && c.exitCode === null && c.pid) {
      try {
        if (this.o.console.kind === "production") process.kill(-c.pid, "SIGTERM");
        else c.kill("SIGTERM");
      } catch {
        /* gone */
      }
      const end = Date.now() + 10_000;
      while (c.exitCode === null && Date.now() < end) await sleep(100);
      if (c.exitCode === null) {
        try {
          if (this.o.console.kind === "production") process.kill(-c.pid, "SIGKILL");
          else c.kill("SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    await this.libvirt?.stop();
    if (!this.o.keep) fs.rmSync(this.dir, { recursive: true, force: true });
    else this.log(`kept ${this.dir} (store, console and agent logs)`);
  }
}
