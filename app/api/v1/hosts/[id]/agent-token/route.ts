// POST /api/v1/hosts/{id}/agent-token — issue a new agent token for a host (by id or name); the
// token is in this answer only, and the host's previous token stops working (rotation).
// DELETE — revoke the host's token. Admin only: an admin's session or HAVEN_ADMIN_TOKEN.
import { requireAdmin } from "@/lib/server/http/admin-route";
import { json, withProblems } from "@/lib/server/http/problem";
import { issueAgentTokenAs, revokeAgentTokenAs } from "@/lib/server/ops";

type Ctx = { params: Promise<{ id: string }> };

function hostParam(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

export const POST = withProblems("admin.agent-token.issue", async (req: Request, ctx: Ctx) => {
  const who = await requireAdmin(req);
  const { id } = await ctx.params;
  return json(await issueAgentTokenAs({ hostId: hostParam(id) }, who), { status: 201 });
});

export const DELETE = withProblems("admin.agent-token.revoke", async (req: Request, ctx: Ctx) => {
  const who = await requireAdmin(req);
  const { id } = await ctx.params;
  return json(await revokeAgentTokenAs({ hostId: hostParam(id) }, who));
});
