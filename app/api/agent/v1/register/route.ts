// POST /api/agent/v1/register — an agent introduces itself with the token an admin issued for its
// host and its inventory; the answer carries the agent's own token (the issued one is replaced)
// and the cluster's timings. Served by the HA controller's process (lib/server/http/agent-route.ts).
import { forwardAgentRequest } from "@/lib/server/http/agent-route";
import { withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.register", forwardAgentRequest);
