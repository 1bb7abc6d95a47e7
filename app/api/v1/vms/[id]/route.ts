// GET /api/v1/vms/{id} — one VM (by id or name): devices, allocations, NICs, disks, recent events, open alerts. Viewers and up.
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { vmByIdOrName } from "@/lib/server/api-v1/resources";
import { ZVmDetail } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.vms.get", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await caller(req, "viewer");
  return answer(ZVmDetail, await vmByIdOrName(await idParam(ctx)));
});
