// The dedicated agent listener on its own thread (a worker_threads Worker of the HA controller's
// process; started by lib/server/http/agent-listener.ts `startAgentListener(…, { thread: true })`).
//
// Why: the HA controller's thread runs synchronous work — SQLite reads of a large cluster, the
// placement engine during a mass failover — for up to a few hundred milliseconds at a time. A
// heartbeat answered on that thread waits for it (454 ms p99 in the 20-of-1,000-host failure).
// Here a heartbeat is answered on a thread that runs nothing else: the token is checked against
// the store (a prepared statement on a read-only SQLite connection of its own: revocation takes
// effect at once, no cache), the body is validated and rate-limited per host, the report is
// handed to the controller's thread (which folds it in as it always did, in order with that
// host's other requests), and whether commands wait is read from the store.
//
// Every other request (register, commands, ack, health, OpenAPI, unknown paths) is passed to the
// controller's thread as is and answered exactly as the in-thread listener answers it.
import http from "node:http";
import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { ZHeartbeat } from "@/lib/schemas/agent";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { AGENT_PATHS } from "./agent-paths";
import { HttpError, checkJsonContentType, errorParts, parseBearer, parseJsonBody, readNodeBody, type ResponseParts } from "./problem";
import type { ThreadInit, ToListener, FromListener } from "./agent-listener-protocol";

const init = workerData as ThreadInit;
const port = parentPort!;
const post = (m: FromListener) => port.postMessage(m);

const db = new Database(init.file, { readonly: true, fileMustExist: true, timeout: 5000 });
const hostOfHash = db.prepare<[string], { id: string; name: string }>('SELECT "id", "name" FROM "Host" WHERE "agentTokenHash" = ?');
const pendingOf = db.prepare<[string], { p: number }>(`SELECT 1 AS "p" FROM "AgentCommand" WHERE "hostId" = ? AND "status" = 'pending' LIMIT 1`);

let heartbeatMs = init.heartbeatMs;
const limit = init.limit;
const buckets = new Map<string, { tokens: number; at: number }>();

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/** Per-host token bucket, as the controller's: `burst` at once, `perInterval` per heartbeat interval after that. */
function takeToken(hostId: string, name: string, now: number): void {
  if (!limit) return;
  const b = buckets.get(hostId) ?? { tokens: limit.burst, at: now };
  b.tokens = Math.min(limit.burst, b.tokens + (Math.max(0, now - b.at) * limit.perInterval) / Math.max(1, heartbeatMs));
  b.at = now;
  buckets.set(hostId, b);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return;
  }
  throw new HttpError(
    429,
    `${name} sends heartbeats far more often than every ${heartbeatMs / 1000}s (at most ${limit.perInterval} per interval after a burst of ${limit.burst}); slow down`,
  );
}


/** A heartbeat, answered here. Same checks, order and answers as handleAgentCall on the controller's thread. */
async function heartbeat(req: http.IncomingMessage): Promise<ResponseParts> {
  const token = parseBearer(req.headers.authorization);
  if (!token) throw new AppError("UNAUTHORIZED", "Send the host's agent token as `Authorization: Bearer <token>`");
  const host = token.length > 512 ? undefined : hostOfHash.get(createHash("sha256").update(token).digest("hex"));
  if (!host) throw new AppError("UNAUTHORIZED", "Unknown agent token");
  checkJsonContentType(req.headers["content-type"]);
  const parsed = ZHeartbeat.safeParse(parseJsonBody(await readNodeBody(req, init.maxBodyBytes)));
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid heartbeat");
  if (parsed.data.hostId !== host.id) throw new AppError("FORBIDDEN", "The heartbeat names another host");
  const now = Date.now();
  takeToken(host.id, host.name, now);
  init.heartbeats.postMessage({ t: "hb", hb: parsed.data });
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ ok: true, commandsPending: pendingOf.get(host.id) !== undefined, serverTime: now }) };
}

let nextId = 1;
const waiting = new Map<number, (p: ResponseParts) => void>();

/** Any other request: answered by the controller's thread (handleAgentCall). */
async function forward(req: http.IncomingMessage, path: string): Promise<ResponseParts> {
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? null : await readNodeBody(req, init.maxBodyBytes);
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    post({ t: "call", id, method, path, authorization: req.headers.authorization ?? null, contentType: req.headers["content-type"] ?? null, body });
  });
}

function handle(req: http.IncomingMessage): Promise<ResponseParts> {
  const path = (req.url ?? "/").split("?")[0];
  const run = path === AGENT_PATHS.heartbeat && req.method === "POST" ? heartbeat(req) : forward(req, path);
  return run.catch((err) => errorParts(err, "agent-listener"));
}

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  void handle(req).then((p) => {
    if (!req.complete) req.resume();
    const body = Buffer.from(p.body);
    res.writeHead(p.status, { ...p.headers, "content-length": String(body.length) });
    res.end(body);
  });
});

port.on("message", (m: ToListener) => {
  if (m.t === "reply") {
    waiting.get(m.id)?.(m.parts);
    waiting.delete(m.id);
  } else if (m.t === "timing") heartbeatMs = m.heartbeatMs;
  else if (m.t === "close") {
    server.close(() => {
      db.close();
      post({ t: "closed" });
    });
    server.closeAllConnections();
  }
});

server.once("error", (e) => post({ t: "error", message: (e as Error).message }));
server.listen(init.port, init.host, () => {
  const a = server.address();
  post({ t: "listening", port: typeof a === "object" && a ? a.port : init.port });
});
