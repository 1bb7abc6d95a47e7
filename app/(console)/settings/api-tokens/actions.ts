"use server";
// Personal API tokens: create (the token is in this answer only) and revoke. Thin over
// lib/server/auth/api-tokens.ts (role-checked, audited).
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { createApiTokenAs, revokeApiTokenAs } from "@/lib/server/auth/api-tokens";

type Prev = ActionResult<unknown> | null;
type Input = FormData | Record<string, unknown>;

export async function createApiTokenAction(_prev: Prev, input: Input) {
  return runServiceAction(input, async (raw, ctx) => {
    const t = await createApiTokenAs(raw, ctx);
    return { token: t.token, name: t.name, role: t.role, expiresAt: t.expiresAt?.toISOString() ?? null };
  });
}

export async function revokeApiTokenAction(_prev: Prev, input: Input) {
  return runServiceAction(input, (raw, ctx) => revokeApiTokenAs(raw, ctx));
}
