import "server-only";
// The body of the operator/admin server actions outside inventory: resolve the signed-in user,
// call the service (which checks the role and validates), answer `{ ok, data } | { ok: false, … }`.
import type { ActionResult } from "@/lib/schemas/action-result";
import { formInput, safeRevalidate } from "@/lib/server/inventory/action";
import { toAppError } from "@/lib/server/inventory/common";
import type { AuditCtx } from "@/lib/server/audit";
import { getPrincipal } from "./session";

export async function runServiceAction<T>(input: unknown, service: (raw: Record<string, unknown>, ctx: AuditCtx) => Promise<T>): Promise<ActionResult<T>> {
  const ctx: AuditCtx = { principal: await getPrincipal() };
  if (!ctx.principal) return { ok: false, formError: "Sign in first" };
  const raw = input !== null && typeof input === "object" ? formInput(input as FormData | Record<string, unknown>) : {};
  try {
    const data = await service(raw, ctx);
    safeRevalidate();
    return { ok: true, data };
  } catch (e) {
    const err = toAppError(e);
    if (err.code === "INTERNAL") console.error("action failed:", err.message, e);
    return { ok: false, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}), formError: err.message };
  }
}
