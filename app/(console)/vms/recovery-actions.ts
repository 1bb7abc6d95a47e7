"use server";
// A VM in `error` (its restart policy spent): retry. A device VM away from its preferred host:
// move it back (power-cycles it). Thin over the role-checked, audited operations in
// lib/server/recovery-ops.ts (operator or above).
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { moveVmBackAs, retryVmAs } from "@/lib/server/recovery-ops";

export async function retryVmAction(vmId: string): Promise<ActionResult<{ power: string }>> {
  return runServiceAction({ vmId }, async (raw, ctx) => {
    const r = await retryVmAs(raw, ctx);
    return { power: r.power };
  });
}

export async function moveVmBackAction(vmId: string): Promise<ActionResult<{ from: string; to: string; powerCycled: boolean }>> {
  return runServiceAction({ vmId }, async (raw, ctx) => {
    const r = await moveVmBackAs(raw, ctx);
    return { from: r.from, to: r.to, powerCycled: r.powerCycled };
  });
}
