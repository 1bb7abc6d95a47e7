// POST /api/v1/hosts/{id}/agent-token — issue a new agent token for a host (by id or name); the
// token is in this answer only, and the host's previous token stops working.
// DELETE — revoke the host's token. Admin only (HAVEN_ADMIN_TOKEN).
import { issueAgentToken, revokeAgentToken } from "@/lib/server/agent/tokens";
import { getDb } from "@/lib/server/db";
import { getController } from "@/lib/server/ha/controller";
import { requireAdmin } from "@/lib/server/http/admin-route";
import { json, withProblems } from "@/lib/server/http/problem";

type Ctx = { params: Promise<{ id: string }> };
const db = () => getController()?.db ?? getDb();

export const POST = withProblems("admin.agent-token.issue", async (req: Request, ctx: Ctx) => {
  requireAdmin(req);
  const { id } = await ctx.params;
  return json(await issueAgentToken(db(), decodeURIComponent(id)), { status: 201 });
});

export const DELETE = withProblems("admin.agent-token.revoke", async (req: Request, ctx: Ctx) => {
  requireAdmin(req);
  const { id } = await ctx.params;
  return json(await revokeAgentToken(db(), decodeURIComponent(id)));
});
