import "server-only";
// The agent protocol's operations once the caller is authenticated and the body parsed — shared
// by the Next route handlers (app/api/agent/v1) and the dedicated agent listener
// (agent-listener.ts), so both answer exactly alike.
import { ZRegisterRequest, type TCommandAckResponse, type TRegisterResponse } from "@/lib/schemas/agent";
import { ackAgentCommand, registerAgent, type AgentServiceDeps } from "@/lib/server/agent/service";
import { AppError, appErrorFromZod } from "@/lib/server/errors";

/** Registration by the token's host: the body must name that host. */
export async function registerAuthenticated(deps: AgentServiceDeps, hostId: string, body: unknown): Promise<TRegisterResponse> {
  const parsed = ZRegisterRequest.safeParse(body);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid registration");
  const host = await deps.db.host.findUnique({ where: { id: hostId }, select: { name: true } });
  if (!host) throw new AppError("UNAUTHORIZED", "Unknown agent token");
  if (host.name !== parsed.data.hostName) throw new AppError("FORBIDDEN", `This token belongs to host ${host.name}, not ${parsed.data.hostName}`);
  return registerAgent(deps, parsed.data);
}

/** An ack of the command in the path; a `commandId` in the body must be the same. */
export async function ackFromPath(deps: AgentServiceDeps, hostId: string, commandId: string, body: unknown): Promise<TCommandAckResponse> {
  const isObj = !!body && typeof body === "object" && !Array.isArray(body);
  if (isObj && "commandId" in body && (body as { commandId: unknown }).commandId !== commandId)
    throw new AppError("VALIDATION", "commandId differs from the command in the path", { commandId: [`must be ${commandId}, the command in the path`] });
  return ackAgentCommand(deps, hostId, isObj ? { commandId, ...body } : body);
}
