"use server";
// Power a VM on or off from its page. Thin over the role-checked, audited operations in
// lib/server/ops.ts (operator or above). A refused power-on also answers the engine's explanation:
// every host of the cluster with the reasons it was rejected.
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { powerOffVmAs, powerOnVmAs } from "@/lib/server/ops";
import { explainVmPlacement } from "@/lib/server/placement-explain";
import type { PowerActionResult } from "@/components/vms/power-controls";

export async function powerOnAction(vmId: string): Promise<PowerActionResult<{ hostName: string; reasons: string[] }>> {
  const r = await runServiceAction({ vmId }, async (raw, ctx) => {
    const out = await powerOnVmAs(raw, ctx);
    return { hostName: out.hostName, reasons: out.reasons };
  });
  if (r.ok || !r.fieldErrors || !Object.keys(r.fieldErrors).some((k) => k.startsWith("hosts."))) {
    // Refusals without a per-host list (Guarantee admission) still get the engine's table.
    if (!r.ok && /cannot be powered on/.test(r.formError ?? "")) {
      return { ...r, explanation: await explainVmPlacement(vmId).catch(() => null) };
    }
    return r;
  }
  return { ...r, explanation: await explainVmPlacement(vmId).catch(() => null) };
}

export async function powerOffAction(vmId: string): Promise<ActionResult<{ power: string }>> {
  return runServiceAction({ vmId }, async (raw, ctx) => {
    const out = await powerOffVmAs(raw, ctx);
    return { power: out.power };
  });
}
