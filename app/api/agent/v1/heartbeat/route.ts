// POST /api/agent/v1/heartbeat — liveness and the agent's report (VMs, NIC links, storage
// controller). Served by the HA controller's process (lib/server/http/agent-route.ts).
import { forwardAgentRequest } from "@/lib/server/http/agent-route";
import { withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.heartbeat", forwardAgentRequest);
