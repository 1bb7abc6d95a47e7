// GET /api/v1/vms — VMs, filtered, sorted and paged (format=csv: every matching row). Viewers and up.
import { listVms } from "@/lib/server/queries/vms";
import { caller, listAnswer, queryOf } from "@/lib/server/api-v1/handlers";
import { ZVm, ZVmListParams, ZVmPage } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.vms.list", async (req: Request) => {
  await caller(req, "viewer");
  const q = queryOf(req, ZVmListParams);
  const i = q.tag?.indexOf(":") ?? -1;
  const tag = q.tag ? { type: q.tag.slice(0, i), tag: q.tag.slice(i + 1) } : undefined;
  return listAnswer({
    format: q.format,
    page: q.page,
    pageSize: q.size,
    pageSchema: ZVmPage,
    rowSchema: ZVm,
    name: "vms",
    fetch: (page, pageSize) => listVms({ host: q.host, power: q.power, priority: q.priority, devices: q.devices, tag, q: q.q, sort: q.sort, dir: q.dir, page, pageSize }),
  });
});
