// POST /api/v1/agent-tokens — tokens for many hosts in one call (the agent simulator):
// {"hosts": ["h1", "h2"]} or {"limit": 200} (the first hosts by name), optionally
// "withVms": true (each host's running VMs and NICs, for a simulator). Admin only (session or
// HAVEN_ADMIN_TOKEN); audited as one row.
import { z } from "zod";
import { issueAgentTokens } from "@/lib/server/agent/tokens";
import { getDb } from "@/lib/server/db";
import { appErrorFromZod } from "@/lib/server/errors";
import { getController } from "@/lib/server/ha/controller";
import { requireAdmin } from "@/lib/server/http/admin-route";
import { json, readJson, withProblems } from "@/lib/server/http/problem";
import { writeAuditRow } from "@/lib/server/audit";

const ZIssueTokens = z.strictObject({
  hosts: z.array(z.string().min(1).max(128)).min(1).max(5000).optional(),
  limit: z.number().int().min(1).max(5000).optional(),
  /** Also answer each host's running VMs and NIC names (a simulator taking the hosts over). */
  withVms: z.boolean().optional(),
});

export const POST = withProblems("admin.agent-tokens", async (req: Request) => {
  const who = await requireAdmin(req);
  const parsed = ZIssueTokens.safeParse(await readJson(req));
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid token request");
  const db = getController()?.db ?? getDb();
  const tokens = await issueAgentTokens(db, parsed.data);
  // Never the tokens themselves: which hosts got a new one.
  await writeAuditRow(db, who, "issue-agent-tokens", `hosts:${tokens.length}`, null, { hosts: tokens.slice(0, 200).map((t) => t.hostName), count: tokens.length });
  return json({ tokens }, { status: 201 });
});
