// The HTTP transport: a simulated agent talking to a running console's /api/agent/v1 routes with
// its bearer token, through the real agent's protocol client (lib/agent/protocol-client.ts) — one
// implementation of register/heartbeat/commands/ack over HTTP for both. Network failures, timeouts
// and 5xx answers are ConsoleUnreachableError (the agent's isolation timer runs); 4xx answers are
// AgentHttpError (= ConsoleHttpError) with the problem+json detail (401: the token was revoked or
// replaced). What this adds to the client: the registration token comes from a per-host map an
// admin filled, and the token the console answers replaces it there.
import type { TRegisterRequest, TRegisterResponse } from "@/lib/schemas/agent";
import { createProtocolClient, type ProtocolOp } from "@/lib/agent/protocol-client";
import type { AgentTransport } from "./transport";

export { ConsoleHttpError as AgentHttpError } from "@/lib/agent/protocol-client";

export interface HttpTransportOptions {
  /** Console base URL, e.g. http://localhost:3000 */
  url: string;
  /** Host name → the token an admin issued for it (used to register; replaced by the answer). */
  tokens: Map<string, string>;
  timeoutMs?: number;
  /** Sees every call's outcome and latency (the simulator's statistics). */
  onCall?: (op: ProtocolOp, ms: number, status: number | "unreachable") => void;
}

export interface HttpAgentTransport extends AgentTransport {
  readonly tokens: Map<string, string>;
}

export function httpTransport(opts: HttpTransportOptions): HttpAgentTransport {
  const client = createProtocolClient({ url: opts.url, timeoutMs: opts.timeoutMs, onCall: opts.onCall, userAgent: "haven-sim" });
  const tokens = opts.tokens;
  return {
    tokens,
    async register(req: TRegisterRequest): Promise<TRegisterResponse> {
      const r = await client.register(tokens.get(req.hostName) ?? "", req);
      tokens.set(req.hostName, r.token);
      return r;
    },
    heartbeat: client.heartbeat,
    fetchCommands: client.fetchCommands,
    ack: client.ack,
  };
}
