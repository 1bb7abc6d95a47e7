// POST /api/agent/v1/register — an agent introduces itself with the token an admin issued for its
// host and its inventory; the answer carries the agent's own token (the issued one is replaced)
// and the cluster's timings.
import { agentDeps, authenticateRequest } from "@/lib/server/http/agent-route";
import { registerAuthenticated } from "@/lib/server/http/agent-ops";
import { json, readJson, withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.register", async (req: Request) => {
  const deps = agentDeps();
  const hostId = await authenticateRequest(deps, req);
  return json(await registerAuthenticated(deps, hostId, await readJson(req)));
});
