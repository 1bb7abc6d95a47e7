// GET /api/v1/alerts/{id} — one alert with its other episodes on the same entity. Viewers and up.
import { getAlert } from "@/lib/server/queries/alerts";
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { ZAlertDetail } from "@/lib/server/api-v1/schemas";
import { AppError } from "@/lib/server/errors";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.alerts.get", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await caller(req, "viewer");
  const id = await idParam(ctx);
  const a = await getAlert(id);
  if (!a) throw new AppError("NOT_FOUND", `Alert ${id} does not exist`);
  return answer(ZAlertDetail, a);
});
