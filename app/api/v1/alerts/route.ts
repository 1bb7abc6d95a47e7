// GET /api/v1/alerts — alerts (default: open and acknowledged), newest first, filtered and paged (format=csv). Viewers and up.
import { listAlerts } from "@/lib/server/queries/alerts";
import { caller, listAnswer, queryOf } from "@/lib/server/api-v1/handlers";
import { ZAlert, ZAlertListParams, ZAlertPage } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.alerts.list", async (req: Request) => {
  await caller(req, "viewer");
  const q = queryOf(req, ZAlertListParams);
  return listAnswer({
    format: q.format,
    page: q.page,
    pageSize: q.size,
    pageSchema: ZAlertPage,
    rowSchema: ZAlert,
    name: "alerts",
    fetch: (page, pageSize) => listAlerts({ status: q.status, severity: q.severity, kind: q.kind, hostId: q.host, vm: q.vm, incidentId: q.incident, q: q.q, page, pageSize }),
  });
});
