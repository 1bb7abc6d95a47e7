"use server";
// A host's agent token (admin): issue or rotate (the new token is shown once; the old one stops
// working at once) and revoke. Thin over lib/server/ops.ts (role-checked, audited, token hashed).
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { issueAgentTokenAs, revokeAgentTokenAs } from "@/lib/server/ops";

type Prev = ActionResult<unknown> | null;
type Input = FormData | Record<string, unknown>;

export async function issueAgentTokenAction(_prev: Prev, input: Input) {
  return runServiceAction(input, async (raw, ctx) => {
    const t = await issueAgentTokenAs(raw, ctx);
    return { hostName: t.hostName, token: t.token, issuedAt: t.issuedAt };
  });
}

export async function revokeAgentTokenAction(_prev: Prev, input: Input) {
  return runServiceAction(input, (raw, ctx) => revokeAgentTokenAs(raw, ctx));
}
