// GET /api/v1/tags — every device tag with its devices, free units, hosts and requesting VMs (format=csv). Viewers and up.
import { listTags } from "@/lib/server/queries/tags";
import { answer, caller, csvResponse, queryOf, toCsv } from "@/lib/server/api-v1/handlers";
import { ZTag, ZTagList, ZTagListParams } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("v1.tags.list", async (req: Request) => {
  await caller(req, "viewer");
  const q = queryOf(req, ZTagListParams);
  const rows = await listTags({ type: q.type, q: q.q });
  if (q.format === "csv") return csvResponse("tags", toCsv(ZTag, rows.map((r) => ZTag.parse(r))));
  return answer(ZTagList, { rows, total: rows.length });
});
