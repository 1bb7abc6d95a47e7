// GET /api/agent/v1/openapi.json — the agent protocol, generated from its zod schemas.
import { agentOpenApi } from "@/lib/server/http/agent-openapi";
import { json, withProblems } from "@/lib/server/http/problem";

export const GET = withProblems("agent.openapi", () => json(agentOpenApi()));
