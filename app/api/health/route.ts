// GET /api/health — {status, db, controller, demo}: 200 when the store answers and the HA
// controller runs, 503 otherwise.
import { getHealth } from "@/lib/server/runtime";
import { json, withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("health", async () => {
  const h = await getHealth();
  return json(h, { status: h.status === "ok" ? 200 : 503 });
});
