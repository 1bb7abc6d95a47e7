// The body every inventory server action shares: parse the form with zod, call the
// service, revalidate, and answer `{ ok, data } | { ok: false, fieldErrors, formError }`.
// A user never sees a stack trace: unexpected errors are logged here and answered plainly.
import "server-only";
import type { z } from "zod";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formDataToObject } from "@/lib/schemas/form-data";
import type { ActionResult } from "@/lib/schemas/action-result";
import { zodPathErrors } from "@/lib/server/errors";
import { authorize } from "@/lib/server/auth/principal";
import { getPrincipal } from "@/lib/server/auth/session";
import { toAppError, type ServiceCtx } from "./common";

/** revalidatePath, tolerated outside a request (tests, scripts). */
export function safeRevalidate(path = "/", type: "layout" | "page" = "layout"): void {
  try {
    revalidatePath(path, type);
  } catch {
    // Outside a Next request there is no cache to revalidate.
  }
}

export function formInput(input: FormData | Record<string, unknown>): Record<string, unknown> {
  return typeof FormData !== "undefined" && input instanceof FormData ? formDataToObject(input) : { ...input };
}

/**
 * Checks the signed-in user may change inventory (admin), parses `input` (a FormData or an
 * object) with `schema`, and on success calls `service` with the raw object and a ctx naming the
 * user (services validate and authorize again, so they stay safe for other callers).
 */
export async function runInventoryAction<T>(
  schema: z.ZodType,
  input: FormData | Record<string, unknown>,
  service: (raw: Record<string, unknown>, ctx: ServiceCtx) => Promise<T>,
): Promise<ActionResult<T>> {
  const ctx: ServiceCtx = { principal: await getPrincipal() };
  try {
    authorize(ctx, "admin");
  } catch (e) {
    return { ok: false, formError: toAppError(e).message };
  }
  const raw = formInput(input);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, fieldErrors: zodPathErrors(parsed.error), formError: "Check the highlighted fields" };
  let data: T;
  try {
    data = await service(raw, ctx);
  } catch (e) {
    const err = toAppError(e);
    if (err.code === "INTERNAL") console.error("inventory action failed", e);
    return { ok: false, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}), formError: err.message };
  }
  safeRevalidate();
  // A form may ask to land elsewhere (a delete: the record's own page is gone). Same-site paths only.
  const to = raw.redirectTo;
  if (typeof to === "string" && /^\/(?![/\\])/.test(to)) redirect(to);
  return { ok: true, data };
}
