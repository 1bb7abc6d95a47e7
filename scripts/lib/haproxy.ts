// haproxy (Debian's package) in front of several console instances for the multi-instance tests
// and benches: round robin over the backends, each health-checked on GET /api/health (a 503 takes
// it out, a 200 puts it back), one address for browsers and agents. Foreground process (-db),
// stopped by stop().
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const HAPROXY_BIN = process.env.HAPROXY_BIN || "/usr/sbin/haproxy";

export function haproxyAvailable(): boolean {
  return fs.existsSync(HAPROXY_BIN);
}

export interface Haproxy {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** A console instance: its console port and, optionally, its agent listener port (HAVEN_AGENT_PORT). */
export interface Backend {
  name: string;
  port: number;
  agentPort?: number;
}

/**
 * Round robin over the consoles, health-checked on /api/health; with agent ports, requests under
 * /api/agent/ go to the instances' agent listeners instead (checked on their console's health).
 */
export function haproxyConfig(port: number, backends: Backend[], opts: { checkMs?: number } = {}): string {
  const inter = opts.checkMs ?? 500;
  const agents = backends.length > 0 && backends.every((b) => b.agentPort);
  return [
    "global",
    "  maxconn 4000",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  option http-keep-alive",
    "  retries 2",
    "  option redispatch",
    "frontend haven",
    `  bind 127.0.0.1:${port}`,
    ...(agents ? ["  acl agent_api path_beg /api/agent/", "  use_backend agents if agent_api"] : []),
    "  default_backend consoles",
    "backend consoles",
    "  balance roundrobin",
    "  option httpchk GET /api/health",
    "  http-check expect status 200",
    ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check inter ${inter}ms fall 2 rise 1`),
    ...(agents
      ? [
          "backend agents",
          "  balance roundrobin",
          "  option httpchk GET /api/health",
          "  http-check expect status 200",
          ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.agentPort} check port ${b.port} inter ${inter}ms fall 2 rise 1`),
        ]
      : []),
    "",
  ].join("\n");
}

export async function startHaproxy(port: number, backends: Backend[], opts: { checkMs?: number } = {}): Promise<Haproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-haproxy-"));
  const cfg = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfg, haproxyConfig(port, backends, opts));
  const check = spawn(HAPROXY_BIN, ["-c", "-q", "-f", cfg], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  check.stderr!.on("data", (d) => (err += d));
  const ok = await new Promise<boolean>((r) => check.on("exit", (c) => r(c === 0)));
  if (!ok) throw new Error(`haproxy refused its configuration: ${err}`);
  const child: ChildProcess = spawn(HAPROXY_BIN, ["-db", "-f", cfg], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (d) => (log = (log + d).slice(-4000)));
  await new Promise((r) => setTimeout(r, 500));
  if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${log}`);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
