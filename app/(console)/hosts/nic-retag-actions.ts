"use server";
// "What would re-tagging this NIC change?" — a read for the host edit page (admins: the same
// role that may re-tag). Saving still goes through setNicTagAction.
import { z } from "zod";
import type { ActionResult } from "@/lib/schemas/action-result";
import { ZSetNicTagInput } from "@/lib/schemas/inventory";
import { roleAtLeast } from "@/lib/schemas/auth";
import { getPrincipal } from "@/lib/server/auth/session";
import { previewNicRetag, type NicRetagPreview } from "@/lib/server/queries/nic-retag";

export async function previewNicRetagAction(nicId: string, tag: string): Promise<ActionResult<NicRetagPreview>> {
  const me = await getPrincipal();
  if (!me) return { ok: false, formError: "Sign in first" };
  if (!roleAtLeast(me.role, "admin")) return { ok: false, formError: "Only admins may re-tag NICs" };
  if (typeof nicId !== "string" || nicId.length === 0 || nicId.length > 64) return { ok: false, fieldErrors: { nicId: ["Choose a NIC"] }, formError: "Choose a NIC" };
  if (typeof tag !== "string") return { ok: false, fieldErrors: { tag: ["Give a tag"] }, formError: "Give a tag" };
  // The same rule as saving (a blank tag is a clear, which needs no name).
  if (tag.trim() !== "") {
    const v = ZSetNicTagInput.safeParse({ nicId, tag });
    if (!v.success) {
      const fieldErrors = z.flattenError(v.error).fieldErrors as Record<string, string[]>;
      return { ok: false, fieldErrors, formError: fieldErrors.tag?.[0] ?? fieldErrors.nicId?.[0] ?? "Check the tag" };
    }
  }
  try {
    const p = await previewNicRetag(nicId, tag.trim() === "" ? null : tag.trim());
    return p ? { ok: true, data: p } : { ok: false, formError: "This NIC no longer exists" };
  } catch (e) {
    console.error("NIC re-tag preview failed", e);
    return { ok: false, formError: "The preview could not be computed; try again" };
  }
}
