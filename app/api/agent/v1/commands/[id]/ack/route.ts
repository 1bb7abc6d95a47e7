// POST /api/agent/v1/commands/{id}/ack — a command's outcome. Acknowledging twice changes nothing.
import { ackAgentCommand } from "@/lib/server/agent/service";
import { AppError } from "@/lib/server/errors";
import { agentDeps, authenticateRequest } from "@/lib/server/http/agent-route";
import { json, readJson, withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.ack", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const deps = agentDeps();
  const hostId = await authenticateRequest(deps, req);
  const { id } = await ctx.params;
  const body = await readJson(req);
  if (body && typeof body === "object" && !Array.isArray(body) && "commandId" in body && (body as { commandId: unknown }).commandId !== id)
    throw new AppError("VALIDATION", "commandId differs from the command in the path", { commandId: [`must be ${id}, the command in the path`] });
  const input = body && typeof body === "object" && !Array.isArray(body) ? { commandId: id, ...body } : body;
  return json(await ackAgentCommand(deps, hostId, input));
});
