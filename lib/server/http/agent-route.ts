import "server-only";
// What the agent routes share: the service deps (the running HA controller and its store) and
// bearer-token authentication. Authentication comes before the body is read, so a request
// without a valid token changes nothing whatever it carries.
import { authenticateAgent, type AgentServiceDeps } from "@/lib/server/agent/service";
import { AppError } from "@/lib/server/errors";
import { getController } from "@/lib/server/ha/controller";
import { bearerToken } from "./problem";

/** The agent service deps of this process; 503 when the HA controller is not running. */
export function agentDeps(): AgentServiceDeps {
  const controller = getController();
  if (!controller) throw new AppError("UNAVAILABLE", "The HA controller is not running in this console instance");
  return { db: controller.db, controller };
}

/** The host the bearer token belongs to (401 without a valid token). */
export async function authenticateRequest(deps: AgentServiceDeps, req: Request): Promise<string> {
  const token = bearerToken(req);
  if (!token) throw new AppError("UNAUTHORIZED", "Send the host's agent token as `Authorization: Bearer <token>`");
  return authenticateAgent(deps, token);
}
