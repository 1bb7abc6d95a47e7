// How a simulated agent reaches the console: in process (the scenario runner, the demo fleet, tests:
// in-process-transport.ts) or over HTTP (http-transport.ts, on the real agent's protocol client).
import type {
  TCommandAck,
  TCommandAckResponse,
  TFetchCommandsResponse,
  THeartbeat,
  THeartbeatResponse,
  TRegisterRequest,
  TRegisterResponse,
} from "@/lib/schemas/agent";

export interface AgentTransport {
  register(req: TRegisterRequest): Promise<TRegisterResponse>;
  heartbeat(token: string, hb: THeartbeat): Promise<THeartbeatResponse>;
  fetchCommands(token: string): Promise<TFetchCommandsResponse>;
  ack(token: string, ack: TCommandAck): Promise<TCommandAckResponse>;
}

/**
 * Thrown when the agent cannot reach the console (isolation, console down): the one class of the
 * agent protocol client (lib/agent/protocol-client.ts), so the simulated agent and the real one
 * tell an unreachable console from a refusal alike, over HTTP or in process.
 */
export { ConsoleUnreachableError } from "@/lib/agent/protocol-client";
