import "server-only";
// The agent protocol where the HA controller runs. `handleAgentCall` serves one request whatever
// carried it; `startAgentListener` is the dedicated node:http listener (HAVEN_AGENT_PORT) in the
// controller's process, and the Next route handlers under app/api/agent/v1 forward their requests
// here too (lib/server/http/agent-route.ts), so both ports answer exactly alike.
import http from "node:http";
import { ackCommandIdOf, AGENT_PATHS } from "./agent-paths";
import { authenticateAgent, agentHeartbeat, fetchAgentCommands } from "@/lib/server/agent/service";
import { AppError } from "@/lib/server/errors";
import { getController } from "@/lib/server/ha/controller";
import type { AgentServiceDeps } from "@/lib/server/agent/service";
import { ackFromPath, registerAuthenticated } from "./agent-ops";
import { agentOpenApi } from "./agent-openapi";
import { HttpError, MAX_BODY_BYTES, checkJsonContentType, errorParts, parseBearer, parseJsonBody, problemParts, readNodeBody, type ResponseParts } from "./problem";

/** The agent service deps of this process; 503 when the HA controller does not run in it. */
function agentDeps(): AgentServiceDeps {
  const controller = getController();
  if (!controller) throw new AppError("UNAVAILABLE", "The HA controller is not running in this process");
  return { db: controller.db, controller };
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

function send(res: http.ServerResponse, p: ResponseParts): void {
  const body = Buffer.from(p.body);
  res.writeHead(p.status, { ...p.headers, "content-length": String(body.length) });
  res.end(body);
}

async function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) throw new HttpError(413, `The body is ${declared} bytes; at most ${limit} are accepted`);
  checkJsonContentType(req.headers["content-type"]);
  return parseJsonBody(await readNodeBody(req, limit));
}

/**
 * One agent-protocol request, whatever carried it: the dedicated listener (below) or, through the
 * controller process's channel, a Next route handler on the console's port (lib/server/control).
 * `body` reads and parses the body (413/415/400 as problem answers) only once the token is good.
 */
export interface AgentCall {
  method: string;
  /** The path, without the query string. */
  path: string;
  authorization: string | null | undefined;
  body: () => Promise<unknown>;
}

export async function handleAgentCall(call: AgentCall): Promise<ResponseParts> {
  const { path, method } = call;
  if (path === AGENT_PATHS.openapi || path === AGENT_PATHS.health) {
    if (method !== "GET") return problemParts(405, `${method} is not allowed here`);
    if (path === AGENT_PATHS.openapi) return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(agentOpenApi()) };
    const { getHealth } = await import("@/lib/server/health");
    const h = await getHealth();
    return { status: h.status === "ok" ? 200 : 503, headers: JSON_HEADERS, body: JSON.stringify(h) };
  }
  const ackId = ackCommandIdOf(path);
  const known = path === AGENT_PATHS.heartbeat || path === AGENT_PATHS.register || path === AGENT_PATHS.commands || ackId !== null;
  if (!known) return problemParts(404, `No agent API at ${path}`);
  const wantMethod = path === AGENT_PATHS.commands ? "GET" : "POST";
  if (method !== wantMethod) return problemParts(405, `${method} is not allowed here; use ${wantMethod}`);
  const deps = agentDeps();
  const token = parseBearer(call.authorization);
  if (!token) throw new AppError("UNAUTHORIZED", "Send the host's agent token as `Authorization: Bearer <token>`");
  const hostId = await authenticateAgent(deps, token);
  let out: unknown;
  if (path === AGENT_PATHS.commands) out = await fetchAgentCommands(deps, hostId);
  else {
    const body = await call.body();
    if (path === AGENT_PATHS.heartbeat) out = await agentHeartbeat(deps, hostId, body);
    else if (path === AGENT_PATHS.register) out = await registerAuthenticated(deps, hostId, body);
    else out = await ackFromPath(deps, hostId, ackId!, body);
  }
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(out) };
}

/** handleAgentCall with every failure as a problem answer (never a stack trace). */
export function answerAgentCall(call: AgentCall, where = "agent-listener"): Promise<ResponseParts> {
  return handleAgentCall(call).catch((err) => errorParts(err, where));
}

function handle(req: http.IncomingMessage): Promise<ResponseParts> {
  return answerAgentCall({
    method: req.method ?? "GET",
    path: (req.url ?? "/").split("?")[0],
    authorization: req.headers.authorization,
    body: () => readBody(req),
  });
}

export function startAgentListener(port: number, host = "0.0.0.0"): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req).then((p) => {
        if (!req.complete) req.resume();
        send(res, p);
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
