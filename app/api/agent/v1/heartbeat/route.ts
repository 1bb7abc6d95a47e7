// POST /api/agent/v1/heartbeat — liveness and the agent's report (VMs, NIC links, storage
// controller). Costs no store access: the controller keeps liveness in memory.
import { agentHeartbeat } from "@/lib/server/agent/service";
import { agentDeps, authenticateRequest } from "@/lib/server/http/agent-route";
import { json, readJson, withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.heartbeat", async (req: Request) => {
  const deps = agentDeps();
  const hostId = await authenticateRequest(deps, req);
  return json(await agentHeartbeat(deps, hostId, await readJson(req)));
});
