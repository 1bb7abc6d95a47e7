// GET /api/v1/incidents/{id} — one incident: timings, recovery summary, VMs and alerts. Viewers and up.
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { incidentById } from "@/lib/server/api-v1/resources";
import { ZIncidentDetail } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.incidents.get", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await caller(req, "viewer");
  return answer(ZIncidentDetail, await incidentById(await idParam(ctx)));
});
