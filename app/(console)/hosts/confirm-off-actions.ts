"use server";
// "This host is powered off" for a silent (unreachable or failed) host: admins, audited
// (lib/server/recovery-ops.ts). The dialog names the VMs it affects before the admin confirms.
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { confirmHostOffAs } from "@/lib/server/recovery-ops";

export async function confirmHostOffAction(hostId: string): Promise<ActionResult<{ host: string; vms: string[] }>> {
  return runServiceAction({ hostId }, async (raw, ctx) => {
    const r = await confirmHostOffAs(raw, ctx);
    return { host: r.host, vms: r.vms };
  });
}
