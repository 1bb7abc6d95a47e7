// GET /api/v1/hosts/{id} — one host (by id or name) with its GPUs, NICs, device pools, VMs and open alerts. Viewers and up.
import { caller, answer, idParam } from "@/lib/server/api-v1/handlers";
import { hostByIdOrName } from "@/lib/server/api-v1/resources";
import { ZHostDetail } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.hosts.get", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await caller(req, "viewer");
  return answer(ZHostDetail, await hostByIdOrName(await idParam(ctx)));
});
