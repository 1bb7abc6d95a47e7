// GET /api/v1/gpus/{id} — one GPU with its host, usage and the VMs holding it. Viewers and up.
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { gpuById } from "@/lib/server/api-v1/resources";
import { ZGpu } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.gpus.get", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await caller(req, "viewer");
  return answer(ZGpu, await gpuById(await idParam(ctx)));
});
