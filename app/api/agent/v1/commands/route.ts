// GET /api/agent/v1/commands — the commands waiting for the token's host (marked sent).
import { fetchAgentCommands } from "@/lib/server/agent/service";
import { agentDeps, authenticateRequest } from "@/lib/server/http/agent-route";
import { json, withProblems } from "@/lib/server/http/problem";

export const GET = withProblems("agent.commands", async (req: Request) => {
  const deps = agentDeps();
  const hostId = await authenticateRequest(deps, req);
  return json(await fetchAgentCommands(deps, hostId));
});
