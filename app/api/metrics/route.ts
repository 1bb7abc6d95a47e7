// GET /api/metrics — Prometheus text format (issue 14). Scraped with the scrape token:
// `Authorization: Bearer $HAVEN_METRICS_TOKEN` (16+ characters); without that setting it is a 404.
// What it serves: lib/server/metrics (store gauges at scrape time + the controller process's registry).
import { METRICS_CONTENT_TYPE, renderMetrics, requireScrapeToken } from "@/lib/server/metrics/store";
import { bearerToken, withProblems } from "@/lib/server/http/problem";

export const dynamic = "force-dynamic";

export const GET = withProblems("metrics", async (req: Request) => {
  requireScrapeToken(bearerToken(req));
  return new Response(await renderMetrics(), { headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" } });
});
