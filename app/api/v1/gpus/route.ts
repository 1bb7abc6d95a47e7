// GET /api/v1/gpus — GPUs with usage and the VMs holding them, filtered, sorted and paged (format=csv: every row). Viewers and up.
import { listGpus } from "@/lib/server/queries/gpus";
import { caller, listAnswer, queryOf } from "@/lib/server/api-v1/handlers";
import { ZGpu, ZGpuListParams, ZGpuPage } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.gpus.list", async (req: Request) => {
  await caller(req, "viewer");
  const q = queryOf(req, ZGpuListParams);
  return listAnswer({
    format: q.format,
    page: q.page,
    pageSize: q.size,
    pageSchema: ZGpuPage,
    rowSchema: ZGpu,
    name: "gpus",
    fetch: (page, pageSize) => listGpus({ model: q.model, mode: q.mode, kind: q.kind, host: q.host, q: q.q, sort: q.sort, dir: q.dir, page, pageSize }),
  });
});
