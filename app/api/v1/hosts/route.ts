// GET /api/v1/hosts — hosts, filtered, sorted and paged (format=csv: every matching row). Viewers and up.
import { listHosts } from "@/lib/server/queries/hosts";
import { caller, listAnswer, queryOf } from "@/lib/server/api-v1/handlers";
import { ZHost, ZHostListParams, ZHostPage } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.hosts.list", async (req: Request) => {
  await caller(req, "viewer");
  const q = queryOf(req, ZHostListParams);
  return listAnswer({
    format: q.format,
    page: q.page,
    pageSize: q.size,
    pageSchema: ZHostPage,
    rowSchema: ZHost,
    name: "hosts",
    fetch: (page, pageSize) => listHosts({ state: q.state, zone: q.zone, q: q.q, sort: q.sort, dir: q.dir, page, pageSize }),
  });
});
