import "server-only";
// Several console instances on one PostgreSQL store (issue 13), seen from one instance's
// controller process (lib/server/control/main.ts). Every instance serves the UI, the API and the
// agent API; exactly one — the holder of the controller lease (lease.ts) — runs the HA
// controller. Until this process is elected it is a follower: it answers its console's calls by
// forwarding them to the leader's internal control port (heartbeats included, so liveness is the
// leader's whichever instance an agent reaches). Once elected it installs a store client fenced
// with its epoch (the store refuses its writes once another instance took the lease) and hands
// back to main.ts, which starts the controller as in the single-instance set-up. Losing the lease
// ends the process at once: the console restarts it and it rejoins as a follower, with no
// controller state carried over.
//   HAVEN_CLUSTER=0          one instance on PostgreSQL without election (not for several instances)
//   HAVEN_INSTANCE           this instance's name (default hostname:PORT)
//   HAVEN_CLUSTER_HOST/PORT  the internal control listener (default 127.0.0.1, a free port)
//   HAVEN_CLUSTER_ADVERTISE  host:port the other instances reach it at (default HOST:PORT)
//   HAVEN_CLUSTER_SECRET     shared secret of the control port (default the auth secret)
//   HAVEN_LEASE_MS           lease length (default 4000)
//   HAVEN_AGENT_PORT         the agent listener: on the leader the controller's own, on a follower
//                            one forwarding every call to the leader (point agents at any instance)
import http from "node:http";
import os from "node:os";
import v8 from "node:v8";
import crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import { databaseUrl, isPostgresUrl } from "@/lib/db-url";
import { createDb, setProcessDb } from "@/lib/server/db";
import type { ControlReply, ControlRequest } from "@/lib/server/control/process";
import { problemParts } from "@/lib/server/http/problem";
import { LeaseElector, leaseMs } from "./lease";

export function clusterMode(url = databaseUrl()): boolean {
  return isPostgresUrl(url) && process.env.HAVEN_CLUSTER !== "0";
}

export function instanceName(): string {
  return process.env.HAVEN_INSTANCE?.trim() || `${os.hostname()}:${process.env.PORT || "3000"}`;
}

/** The lease holder id of a controller process of this instance (a restarted process is a new holder). */
export function holderId(pid = process.pid): string {
  return `${instanceName()}/${pid}`;
}

async function clusterSecret(): Promise<string> {
  if (process.env.HAVEN_CLUSTER_SECRET && process.env.HAVEN_CLUSTER_SECRET.length >= 16) return process.env.HAVEN_CLUSTER_SECRET;
  const { authSecret } = await import("@/lib/server/auth/auth");
  return crypto.createHash("sha256").update("haven-cluster:").update(authSecret()).digest("base64url");
}

const g = globalThis as unknown as { __havenElector?: LeaseElector };

/** This process's elector (null outside cluster mode). */
export function clusterElector(): LeaseElector | null {
  return g.__havenElector ?? null;
}

type Send = (m: ControlReply | { type: "ready" }) => void;

function errorReply(id: number, code: string, message: string): ControlReply {
  return { id, ok: false, error: { code, message } };
}

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  process.stderr.write(`${JSON.stringify({ level: "info", name: "haven-cluster", pid: process.pid, msg, ...extra, time: new Date().toISOString() })}\n`);

/**
 * Joins the cluster as a follower and resolves once this process leads (its fenced store client
 * installed as the process's). Until then it answers the console's calls itself (forwarding).
 */
export async function joinCluster(send: Send): Promise<{ epoch: number; elector: LeaseElector }> {
  const url = databaseUrl();
  const lease = leaseMs();
  const secret = await clusterSecret();
  const holder = holderId();

  // The internal control port: the leader runs forwarded operations here; followers refuse them.
  let leading = false;
  const server = http.createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/control") {
      res.writeHead(404).end();
      return;
    }
    const given = Buffer.from(String(req.headers["x-haven-cluster-secret"] ?? ""));
    const want = Buffer.from(secret);
    if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) {
      res.writeHead(403).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 4 * 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      const reply = (r: ControlReply) => {
        if (!res.headersSent) res.writeHead(200, { "content-type": "application/x-v8-serialized" }).end(v8.serialize(r));
      };
      let m: ControlRequest;
      try {
        m = v8.deserialize(Buffer.concat(chunks)) as ControlRequest;
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (!leading || !elector.isLeader()) {
        reply(errorReply(m.id, "UNAVAILABLE", "This instance no longer leads the HA controller; try again"));
        return;
      }
      runLocal(m).then(reply);
    });
  });
  const host = process.env.HAVEN_CLUSTER_HOST || "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(process.env.HAVEN_CLUSTER_PORT || 0), host, () => resolve());
  });
  server.unref();
  const address = process.env.HAVEN_CLUSTER_ADVERTISE || `${host}:${(server.address() as AddressInfo).port}`;

  const elector = new LeaseElector(url, holder, { address, leaseMs: lease });
  g.__havenElector = elector;
  elector.on("lost", (reason: string) => {
    // No controller work after this point: the process ends now (the store already refuses its writes).
    log("lost the controller lease; exiting to rejoin as a follower", { reason, epoch: elector.state.epoch, holder });
    process.exit(3);
  });

  // HAVEN_AGENT_PORT on a follower: the same agent listener door as on the leader (a load
  // balancer sends agents to every instance's), each call forwarded to the leader as is.
  const agentPort = Number(process.env.HAVEN_AGENT_PORT ?? "");
  const agentDoor = agentPort > 0 ? await followerAgentListener(elector, secret, agentPort, process.env.HAVEN_AGENT_HOST || "0.0.0.0").catch(() => null) : null;

  const follower = (m: ControlRequest) => {
    forward(elector, secret, m).then(send, (e) => send(errorReply(m.id, "UNAVAILABLE", (e as Error).message)));
  };
  process.on("message", follower);
  elector.start();
  log("joined the cluster as a follower", { holder, address, leaseMs: lease });
  send({ type: "ready" });

  const epoch = await new Promise<number>((resolve) => elector.once("elected", resolve));
  process.off("message", follower);
  if (agentDoor) {
    // The controller's own agent listener takes the port over.
    agentDoor.closeAllConnections();
    await new Promise((r) => agentDoor.close(r));
  }
  // A transaction idle that long (a stopped process) is ended by the server, releasing the lease
  // row for a takeover; a killed process's connections close at once. Long enough that a busy
  // machine never ends a live controller transaction between two of its statements.
  setProcessDb(createDb(url, { fenceEpoch: epoch, idleInTransactionMs: Math.max(10_000, 2 * lease) }));
  leading = true;
  log("elected: this instance runs the HA controller", { holder, epoch, address });
  return { epoch, elector };
}

async function runLocal(m: ControlRequest): Promise<ControlReply> {
  const [{ controlOps }, { isAppError }] = await Promise.all([import("@/lib/server/control/ops"), import("@/lib/server/errors")]);
  const fn = (controlOps as Record<string, (...a: unknown[]) => Promise<unknown>>)[m.op];
  if (!fn) return errorReply(m.id, "NOT_FOUND", `No controller operation ${m.op}`);
  try {
    return { id: m.id, ok: true, value: await fn(...m.args) };
  } catch (err) {
    if (isAppError(err)) return { id: m.id, ok: false, error: { code: err.code, message: err.message, fieldErrors: err.fieldErrors } };
    process.stderr.write(`haven-controller: ${m.op} failed: ${(err as Error)?.stack ?? err}\n`);
    return errorReply(m.id, "INTERNAL", "Something went wrong in the HA controller");
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(address: string, secret: string, body: Buffer, timeoutMs: number): Promise<Buffer> {
  const [hostname, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port, path: "/control", method: "POST", agent, timeout: timeoutMs, headers: { "content-type": "application/x-v8-serialized", "content-length": body.length, "x-haven-cluster-secret": secret } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`the leader answered ${res.statusCode}`))));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`the leader did not answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A follower's answer to one of its console's calls: the leader's, or UNAVAILABLE. */
async function forward(elector: LeaseElector, secret: string, m: ControlRequest): Promise<ControlReply> {
  if (m.op === "health") return { id: m.id, ok: true, value: await followerHealth(elector, secret) };
  const address = elector.state.address;
  if (!address || elector.state.holder === null || !elector.state.expiresAt || Date.parse(elector.state.expiresAt) < Date.now() - 1000) {
    return errorReply(m.id, "UNAVAILABLE", "No instance leads the HA controller right now (an election is under way); try again in a few seconds");
  }
  try {
    const reply = v8.deserialize(await post(address, secret, v8.serialize({ id: m.id, op: m.op, args: m.args }), 30_000)) as ControlReply;
    return { ...reply, id: m.id };
  } catch (e) {
    return errorReply(m.id, "UNAVAILABLE", `The HA controller's instance cannot be reached (${(e as Error).message}); try again`);
  }
}

/** A follower's health: its own store connection, and the leader's controller as it answers (1.5 s). */
async function followerHealth(elector: LeaseElector, secret: string) {
  // The elector's own connection polls the store every few hundred ms (no store client of the
  // process is made before the election: the leader's must be the fenced one).
  const db: "ok" | "error" = elector.state.storeOk ? "ok" : "error";
  let controller: "running" | "stopped" = "stopped";
  let demo = { enabled: false, simulatedHosts: 0 };
  const address = elector.state.address;
  if (address && elector.state.holder) {
    try {
      const r = v8.deserialize(await post(address, secret, v8.serialize({ id: 0, op: "health", args: [] }), 1500)) as ControlReply;
      if (r.ok) {
        const h = r.value as { controller: "running" | "stopped"; demo: typeof demo };
        controller = h.controller;
        demo = h.demo;
      }
    } catch {
      controller = "stopped";
    }
  }
  return { status: db === "ok" && controller === "running" ? "ok" : "degraded", db, controller, demo, time: new Date().toISOString() } as const;
}

/** A follower's agent listener: every call is answered by the leader (op "agent"), 503 while none leads. */
function followerAgentListener(elector: LeaseElector, secret: string, port: number, host: string): Promise<http.Server> {
  const LIMIT = 1024 * 1024;
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= LIMIT) chunks.push(c);
    });
    req.on("end", () => {
      const body = req.method === "GET" || req.method === "HEAD" ? null : Buffer.concat(chunks).toString("utf8") + (size > LIMIT ? " " : "");
      const call = { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0], authorization: req.headers.authorization ?? null, contentType: req.headers["content-type"] ?? null, body };
      forward(elector, secret, { id: 0, op: "agent", args: [call] }).then((r) => {
        if (r.ok) {
          const p = r.value as { status: number; headers: Record<string, string>; body: string };
          res.writeHead(p.status, p.headers).end(p.body);
        } else {
          const p = problemParts(503, r.error.message);
          res.writeHead(p.status, { ...p.headers, "retry-after": "1" }).end(p.body);
        }
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
