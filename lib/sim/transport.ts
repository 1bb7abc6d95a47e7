// How a simulated agent reaches the console. In-process now (the scenario runner, tests); an
// HTTP transport with the same interface talks to app/api/agent/v1 later.
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

/** Thrown when the agent cannot reach the console (isolation, console down). */
export class ConsoleUnreachableError extends Error {
  constructor(msg = "console unreachable") {
    super(msg);
    this.name = "ConsoleUnreachableError";
  }
}
