"use server";
// Alert review: acknowledge (with a note) and resolve, one alert or a selection. Thin over the
// role-checked, audited operations in lib/server/ops.ts (operator or above).
import { z } from "zod";
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { acknowledgeAlertAs, resolveAlertAs } from "@/lib/server/ops";
import { AppError, isAppError } from "@/lib/server/errors";

const ZBulk = z.object({
  ids: z.array(z.string().min(1).max(64)).min(1, "Select at least one alert").max(500, "At most 500 alerts at a time"),
  note: z.string().trim().max(500, "Note is at most 500 characters").optional(),
});

import type { BulkAlertResult } from "@/components/alerts/alert-actions";

function parseBulk(raw: Record<string, unknown>) {
  const ids = typeof raw.ids === "string" ? raw.ids.split(",").filter(Boolean) : raw.ids;
  const r = ZBulk.safeParse({ ...raw, ids, note: raw.note === "" ? undefined : raw.note });
  if (!r.success) throw new AppError("VALIDATION", r.error.issues[0]?.message ?? "Invalid input", z.flattenError(r.error).fieldErrors as Record<string, string[]>);
  return r.data;
}

async function each(ids: string[], fn: (id: string) => Promise<unknown>): Promise<BulkAlertResult> {
  const out: BulkAlertResult = { done: 0, skipped: [] };
  for (const id of ids) {
    try {
      await fn(id);
      out.done++;
    } catch (e) {
      // Sign-in and role problems stop the whole batch; a per-alert conflict is reported.
      if (isAppError(e) && (e.code === "UNAUTHORIZED" || e.code === "FORBIDDEN")) throw e;
      out.skipped.push({ id, reason: e instanceof Error ? e.message : "failed" });
    }
  }
  return out;
}

/** Acknowledge the selected alerts (resolved ones are skipped), with an optional note. */
export async function acknowledgeAlertsAction(input: { ids: string[]; note?: string }): Promise<ActionResult<BulkAlertResult>> {
  return runServiceAction(input, async (raw, ctx) => {
    const { ids, note } = parseBulk(raw);
    return each(ids, (id) => acknowledgeAlertAs({ id, note }, ctx));
  });
}

/** Resolve the selected alerts (already resolved ones stay as they are). */
export async function resolveAlertsAction(input: { ids: string[] }): Promise<ActionResult<BulkAlertResult>> {
  return runServiceAction(input, async (raw, ctx) => {
    const { ids } = parseBulk(raw);
    return each(ids, (id) => resolveAlertAs({ id }, ctx));
  });
}
