// POST /api/agent/v1/commands/{id}/ack — a command's outcome. Acknowledging twice changes nothing.
import { agentDeps, authenticateRequest } from "@/lib/server/http/agent-route";
import { ackFromPath } from "@/lib/server/http/agent-ops";
import { json, readJson, withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.ack", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const deps = agentDeps();
  const hostId = await authenticateRequest(deps, req);
  const { id } = await ctx.params;
  return json(await ackFromPath(deps, hostId, id, await readJson(req)));
});
