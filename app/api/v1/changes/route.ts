// GET /api/v1/changes[?since=<version>] — a token that changes whenever a live page (dashboard,
// lists, details, alerts, incidents) may show something new; `changed` says whether it differs
// from `since`. Polled by the console's live refresh; cheap (memoised aggregate queries). Viewers and up.
import { requireRequestRole } from "@/lib/server/auth/request";
import { json, withProblems } from "@/lib/server/http/problem";
import { getLiveVersion } from "@/lib/server/queries/changes";

export const dynamic = "force-dynamic";

export const GET = withProblems("changes", async (req: Request) => {
  await requireRequestRole(req, "viewer");
  const since = new URL(req.url).searchParams.get("since");
  const version = await getLiveVersion();
  return json({ version, changed: since !== null && since !== version }, { headers: { "cache-control": "no-store" } });
});
