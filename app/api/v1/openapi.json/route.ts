// GET /api/v1/openapi.json — the automation API as OpenAPI 3.1, generated from the routes' zod
// schemas. Like every /api/v1 route it needs a session cookie or an API token (viewers and up).
import { apiV1OpenApi } from "@/lib/server/api-v1/openapi";
import { caller } from "@/lib/server/api-v1/handlers";
import { json, withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.openapi", async (req: Request) => {
  await caller(req, "viewer");
  return json(apiV1OpenApi(), { headers: { "cache-control": "no-store" } });
});
