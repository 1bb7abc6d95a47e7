// POST /api/agent/v1/register — an agent introduces itself with the token an admin issued for its
// host and its inventory; the answer carries the agent's own token (the issued one is replaced)
// and the cluster's timings.
import { ZRegisterRequest } from "@/lib/schemas/agent";
import { registerAgent } from "@/lib/server/agent/service";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { agentDeps, authenticateRequest } from "@/lib/server/http/agent-route";
import { json, readJson, withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.register", async (req: Request) => {
  const deps = agentDeps();
  const hostId = await authenticateRequest(deps, req);
  const parsed = ZRegisterRequest.safeParse(await readJson(req));
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid registration");
  const host = await deps.db.host.findUnique({ where: { id: hostId }, select: { name: true } });
  if (!host) throw new AppError("UNAUTHORIZED", "Unknown agent token");
  if (host.name !== parsed.data.hostName) throw new AppError("FORBIDDEN", `This token belongs to host ${host.name}, not ${parsed.data.hostName}`);
  return json(await registerAgent(deps, parsed.data));
});
