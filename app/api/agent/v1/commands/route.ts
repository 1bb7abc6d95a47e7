// GET /api/agent/v1/commands — the commands waiting for the token's host (marked sent).
// Served by the HA controller's process (lib/server/http/agent-route.ts).
import { forwardAgentRequest } from "@/lib/server/http/agent-route";
import { withProblems } from "@/lib/server/http/problem";

export const GET = withProblems("agent.commands", forwardAgentRequest);
