// GET /api/health — {status, db, controller, demo}: 200 when the store answers and the HA
// controller (in its own process) answers, 503 otherwise.
import { getConsoleHealth } from "@/lib/server/control/health";
import { json, withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("health", async () => {
  const h = await getConsoleHealth();
  return json(h, { status: h.status === "ok" ? 200 : 503 });
});
