// The HTTP transport: a simulated (or any TypeScript) agent talking to a running console's
// /api/agent/v1 routes with its bearer token. Network failures, timeouts and 5xx answers are
// "console unreachable" (the agent's isolation timer runs); 4xx answers are AgentHttpError with
// the problem+json detail (401: the token was revoked or replaced).
import type {
  TCommandAck,
  TCommandAckResponse,
  TFetchCommandsResponse,
  THeartbeat,
  THeartbeatResponse,
  TRegisterRequest,
  TRegisterResponse,
} from "@/lib/schemas/agent";
import { ConsoleUnreachableError, type AgentTransport } from "./transport";

export class AgentHttpError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { type?: string; title?: string; detail?: string; errors?: Record<string, string[]> } | null,
  ) {
    super(`${status} ${problem?.title ?? "error"}${problem?.detail ? `: ${problem.detail}` : ""}`);
    this.name = "AgentHttpError";
  }
}

export interface HttpTransportOptions {
  /** Console base URL, e.g. http://localhost:3000 */
  url: string;
  /** Host name → the token an admin issued for it (used to register; replaced by the answer). */
  tokens: Map<string, string>;
  timeoutMs?: number;
  /** Sees every call's outcome and latency (the simulator's statistics). */
  onCall?: (op: "register" | "heartbeat" | "commands" | "ack", ms: number, status: number | "unreachable") => void;
}

export interface HttpAgentTransport extends AgentTransport {
  readonly tokens: Map<string, string>;
}

export function httpTransport(opts: HttpTransportOptions): HttpAgentTransport {
  const base = opts.url.replace(/\/+$/, "");
  const timeoutMs = opts.timeoutMs ?? 5000;

  async function call<T>(op: "register" | "heartbeat" | "commands" | "ack", path: string, token: string | undefined, body?: unknown): Promise<T> {
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(base + path, {
        method: body === undefined ? "GET" : "POST",
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }), accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      opts.onCall?.(op, performance.now() - started, "unreachable");
      throw new ConsoleUnreachableError(`console unreachable: ${(err as Error).message}`);
    }
    const text = await res.text().catch(() => "");
    opts.onCall?.(op, performance.now() - started, res.status);
    if (res.status >= 500) throw new ConsoleUnreachableError(`console answered ${res.status}`);
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) throw new AgentHttpError(res.status, parsed as AgentHttpError["problem"]);
    return parsed as T;
  }

  const tokens = opts.tokens;
  return {
    tokens,
    async register(req: TRegisterRequest): Promise<TRegisterResponse> {
      const r = await call<TRegisterResponse>("register", "/api/agent/v1/register", tokens.get(req.hostName), req);
      tokens.set(req.hostName, r.token);
      return r;
    },
    heartbeat: (token: string, hb: THeartbeat) => call<THeartbeatResponse>("heartbeat", "/api/agent/v1/heartbeat", token, hb),
    fetchCommands: (token: string) => call<TFetchCommandsResponse>("commands", "/api/agent/v1/commands", token),
    ack: (token: string, ack: TCommandAck) => call<TCommandAckResponse>("ack", `/api/agent/v1/commands/${encodeURIComponent(ack.commandId)}/ack`, token, ack),
  };
}
