// POST /api/agent/v1/commands/{id}/ack — a command's outcome. Acknowledging twice changes nothing.
// Served by the HA controller's process (lib/server/http/agent-route.ts), which reads the id from
// the path exactly as the dedicated agent listener does.
import { forwardAgentRequest } from "@/lib/server/http/agent-route";
import { withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("agent.ack", (req: Request, _ctx: { params: Promise<{ id: string }> }) => forwardAgentRequest(req));
