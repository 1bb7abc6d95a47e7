// POST /api/v1/alerts/{id}/acknowledge — body {note?}. Operators and admins; audited.
import { answer, bodyOf, caller, idParam } from "@/lib/server/api-v1/handlers";
import { ZAcknowledgeBody, ZAlertChange } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";
import { acknowledgeAlertAs } from "@/lib/server/ops";

export const POST = withProblems("v1.alerts.acknowledge", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await caller(req, "operator");
  const body = await bodyOf(req, ZAcknowledgeBody);
  return answer(ZAlertChange, await acknowledgeAlertAs({ id: await idParam(ctx), note: body.note }, { principal }));
});
