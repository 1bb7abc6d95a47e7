"use server";
// Dashboard reads that the page asks for after it loaded: the what-if of a chosen host.
import type { ActionResult } from "@/lib/schemas/action-result";
import { getPrincipal } from "@/lib/server/auth/session";
import { getWhatIf, type WhatIfResult } from "@/lib/server/queries/dashboard";

/** "If this host failed now" (viewer and above). */
export async function whatIfAction(hostId: string): Promise<ActionResult<WhatIfResult>> {
  if (!(await getPrincipal())) return { ok: false, formError: "Sign in first" };
  if (typeof hostId !== "string" || hostId.length === 0 || hostId.length > 200) return { ok: false, formError: "Choose a host" };
  try {
    let r = await getWhatIf(hostId);
    // A host added since the cached view was computed: ask for a fresh one.
    if (!r) r = await getWhatIf(hostId, undefined, { fresh: true });
    if (!r) return { ok: false, formError: "This host is no longer in the cluster" };
    return { ok: true, data: r };
  } catch (e) {
    console.error("what-if failed", e);
    return { ok: false, formError: "The what-if could not be computed; try again" };
  }
}
