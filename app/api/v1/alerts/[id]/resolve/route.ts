// POST /api/v1/alerts/{id}/resolve — resolves the alert by hand. Operators and admins; audited.
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { ZAlertChange } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";
import { resolveAlertAs } from "@/lib/server/ops";

export const POST = withProblems("v1.alerts.resolve", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await caller(req, "operator");
  return answer(ZAlertChange, await resolveAlertAs({ id: await idParam(ctx) }, { principal }));
});
