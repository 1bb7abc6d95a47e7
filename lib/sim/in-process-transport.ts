import "server-only";
// The in-process transport: calls the agent service functions directly (no HTTP).
import { ackAgentCommand, agentHeartbeat, authenticateAgent, fetchAgentCommands, registerAgent, type AgentServiceDeps } from "@/lib/server/agent/service";
import type { AgentTransport } from "./transport";

export function inProcessTransport(deps: AgentServiceDeps): AgentTransport {
  return {
    register: (req) => registerAgent(deps, req),
    heartbeat: async (token, hb) => agentHeartbeat(deps, await authenticateAgent(deps, token), hb),
    fetchCommands: async (token) => fetchAgentCommands(deps, await authenticateAgent(deps, token)),
    ack: async (token, ack) => ackAgentCommand(deps, await authenticateAgent(deps, token), ack),
  };
}
