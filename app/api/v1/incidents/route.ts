// GET /api/v1/incidents — HA incidents, newest first, filtered and paged (format=csv). Viewers and up.
import { listIncidents } from "@/lib/server/queries/incidents";
import { caller, listAnswer, queryOf } from "@/lib/server/api-v1/handlers";
import { ZIncident, ZIncidentListParams, ZIncidentPage } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.incidents.list", async (req: Request) => {
  await caller(req, "viewer");
  const q = queryOf(req, ZIncidentListParams);
  return listAnswer({
    format: q.format,
    page: q.page,
    pageSize: q.size,
    pageSchema: ZIncidentPage,
    rowSchema: ZIncident,
    name: "incidents",
    fetch: (page, pageSize) => listIncidents({ status: q.status, kind: q.kind, hostId: q.host, page, pageSize }),
  });
});
