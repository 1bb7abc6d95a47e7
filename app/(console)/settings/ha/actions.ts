"use server";
// HA settings: preview the consequence of a change (a read: nothing is revalidated), save it.
// Admins only (checked in lib/server/settings.ts).
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { getPrincipal } from "@/lib/server/auth/session";
import { formInput } from "@/lib/server/inventory/action";
import { toAppError } from "@/lib/server/inventory/common";
import { previewHaSettings, updateHaSettings, type HaPreview, type SaveHaSettingsResult } from "@/lib/server/settings";

type Input = FormData | Record<string, unknown>;

export async function previewHaSettingsAction(input: Input): Promise<ActionResult<HaPreview>> {
  try {
    const raw = input !== null && typeof input === "object" ? formInput(input) : {};
    return { ok: true, data: await previewHaSettings(raw, { principal: await getPrincipal() }) };
  } catch (e) {
    const err = toAppError(e);
    if (err.code === "INTERNAL") console.error("HA settings preview failed:", e);
    return { ok: false, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}), formError: err.message };
  }
}

export async function saveHaSettingsAction(_prev: ActionResult<unknown> | null, input: Input): Promise<ActionResult<SaveHaSettingsResult>> {
  return runServiceAction(input, (raw, ctx) => updateHaSettings(raw, ctx));
}
