// The agent protocol over HTTP (docs/agent-protocol.md): register, heartbeat, fetch commands,
// acknowledge — the one client for every agent written in TypeScript: haven-agent (lib/agent/agent.ts)
// and the simulated agents over HTTP (lib/sim/http-transport.ts wraps it).
//
// Network failures, timeouts and 5xx answers are ConsoleUnreachableError (the agent's isolation
// clock keeps running); 4xx answers are ConsoleHttpError with the problem+json body (401: the
// token was revoked or replaced; 429: heartbeats too often).
import type {
  TCommandAck,
  TCommandAckResponse,
  TFetchCommandsResponse,
  THeartbeat,
  THeartbeatResponse,
  TRegisterRequest,
  TRegisterResponse,
} from "../schemas/agent";

export class ConsoleUnreachableError extends Error {
  constructor(msg = "console unreachable") {
    super(msg);
    this.name = "ConsoleUnreachableError";
  }
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
}

export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(`${status} ${problem?.title ?? "error"}${problem?.detail ? `: ${problem.detail}` : ""}`);
    this.name = "ConsoleHttpError";
  }
}

export type ProtocolOp = "register" | "heartbeat" | "commands" | "ack";

export interface ProtocolClientOptions {
  /** Console (or agent listener) base URL: http://console:3000 */
  url: string;
  /** Per request (default 5 s). */
  timeoutMs?: number;
  userAgent?: string;
  /** Sees every call's outcome and latency. */
  onCall?: (op: ProtocolOp, ms: number, status: number | "unreachable") => void;
}

export interface ProtocolClient {
  /** `token` is the current one (issued by an admin, or the last registration's). */
  register(token: string, req: TRegisterRequest): Promise<TRegisterResponse>;
  heartbeat(token: string, hb: THeartbeat): Promise<THeartbeatResponse>;
  fetchCommands(token: string): Promise<TFetchCommandsResponse>;
  ack(token: string, ack: TCommandAck): Promise<TCommandAckResponse>;
}

export function createProtocolClient(opts: ProtocolClientOptions): ProtocolClient {
  const base = opts.url.replace(/\/+$/, "");
  const timeoutMs = opts.timeoutMs ?? 5000;

  async function call<T>(op: ProtocolOp, path: string, token: string, body?: unknown): Promise<T> {
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(base + path, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          // No token (a simulated host nobody issued one for): no header, and the console's 401 says so.
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(opts.userAgent ? { "user-agent": opts.userAgent } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      opts.onCall?.(op, performance.now() - started, "unreachable");
      throw new ConsoleUnreachableError(`console unreachable: ${(err as Error).message}`);
    }
    let text = "";
    try {
      text = await res.text();
    } catch (err) {
      opts.onCall?.(op, performance.now() - started, "unreachable");
      throw new ConsoleUnreachableError(`console answer cut off: ${(err as Error).message}`);
    }
    opts.onCall?.(op, performance.now() - started, res.status);
    if (res.status >= 500) throw new ConsoleUnreachableError(`console answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) throw new ConsoleHttpError(res.status, parsed as Problem | null);
    return parsed as T;
  }

  return {
    register: (token, req) => call<TRegisterResponse>("register", "/api/agent/v1/register", token, req),
    heartbeat: (token, hb) => call<THeartbeatResponse>("heartbeat", "/api/agent/v1/heartbeat", token, hb),
    fetchCommands: (token) => call<TFetchCommandsResponse>("commands", "/api/agent/v1/commands", token),
    ack: (token, ack) => call<TCommandAckResponse>("ack", `/api/agent/v1/commands/${encodeURIComponent(ack.commandId)}/ack`, token, ack),
  };
}
