// GET /api/v1/openapi.json — the automation API as OpenAPI 3.1, generated from the routes' zod
// schemas. Open (it describes, it reveals no data), like the agent protocol's document.
import { apiV1OpenApi } from "@/lib/server/api-v1/openapi";
import { json, withProblems } from "@/lib/server/http/problem";

export const GET = withProblems("v1.openapi", () => json(apiV1OpenApi()));
