// Several production console instances (`next start` of a build in NEXT_DIST_DIR) on one
// PostgreSQL store behind haproxy, for the multi-instance tests and benches (issue 13). Each
// instance runs in its own process group, so kill() takes the console and its controller process
// down together, like the loss of its machine.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { startHaproxy, type Haproxy } from "./haproxy";
import { ROOT } from "./proc";

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

export interface Instance {
  name: string;
  port: number;
  /** HAVEN_AGENT_PORT of the instance (agentPorts) */
  agentPort?: number;
  child: ChildProcess | null;
  /** The last lines of its stderr. */
  log: string;
}

export interface ConsoleCluster {
  instances: Instance[];
  proxy: Haproxy;
  url: string;
  /** Starts (or restarts) instance i. */
  start(i: number): Promise<void>;
  /** kill -9 of the instance's whole process group (console + controller process). */
  kill(i: number): Promise<void>;
  /** The pid of instance i's controller process (the lease holder's pid when it leads). */
  controllerPid(i: number): number | null;
  waitHealthy(i: number, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export function distReady(dist: string): boolean {
  return fs.existsSync(path.join(ROOT, dist, "BUILD_ID"));
}

/** agentPorts: each instance also runs the agent listener (HAVEN_AGENT_PORT), and haproxy sends /api/agent/ there. */
export async function startConsoleCluster(opts: { dist: string; databaseUrl: string; count?: number; env?: Record<string, string>; agentPorts?: boolean }): Promise<ConsoleCluster> {
  const count = opts.count ?? 3;
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) instances.push({ name: `i${i}`, port: await freePort(), ...(opts.agentPorts ? { agentPort: await freePort() } : {}), child: null, log: "" });
  const start = async (i: number) => {
    const inst = instances[i];
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(inst.port), "-H", "127.0.0.1"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: opts.dist,
        DATABASE_URL: opts.databaseUrl,
        HAVEN_INSTANCE: inst.name,
        PORT: String(inst.port),
        ...(inst.agentPort ? { HAVEN_AGENT_PORT: String(inst.agentPort), HAVEN_AGENT_HOST: "127.0.0.1" } : {}),
        NEXT_TELEMETRY_DISABLED: "1",
        HAVEN_PAGE_NICE: "0",
        ...opts.env,
      },
    });
    child.stderr!.on("data", (d) => (inst.log = (inst.log + d).slice(-6000)));
    inst.child = child;
  };
  for (let i = 0; i < count; i++) await start(i);
  const waitHealthy = async (i: number, ms = 90_000) => {
    const end = Date.now() + ms;
    const inst = instances[i];
    while (Date.now() < end) {
      if (inst.child?.exitCode !== null && inst.child?.exitCode !== undefined) throw new Error(`instance ${inst.name} exited (${inst.child.exitCode}): ${inst.log}`);
      try {
        const r = await fetch(`http://127.0.0.1:${inst.port}/api/health`, { signal: AbortSignal.timeout(3000) });
        if (r.ok) return;
      } catch {
        /* not up */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`instance ${inst.name} not healthy within ${ms} ms: ${inst.log}`);
  };
  const proxy = await startHaproxy(await freePort(), instances.map((x) => ({ name: x.name, port: x.port, agentPort: x.agentPort })));
  const kill = async (i: number) => {
    const c = instances[i].child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
    await gone;
  };
  return {
    instances,
    proxy,
    url: proxy.url,
    start,
    kill,
    controllerPid(i) {
      // The controller process is a descendant of the instance's process group: found by its
      // command line and its process group id (/proc/<pid>/stat field 5).
      const pgid = instances[i].child?.pid;
      if (!pgid) return null;
      for (const d of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        try {
          const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          if (Number(fields[2]) !== pgid) continue;
          if (fs.readFileSync(`/proc/${d}/cmdline`, "utf8").includes("control/main.ts")) return Number(d);
        } catch {
          /* gone */
        }
      }
      return null;
    },
    waitHealthy,
    async stop() {
      await Promise.all(instances.map((_, i) => kill(i)));
      await proxy.stop();
    },
  };
}
