"use server";
// VM admin actions: thin over lib/server/inventory/vms. New VMs are created powered off.
import { ZCreateVmInput, ZDeleteInput, ZUpdateVmInput } from "@/lib/schemas/inventory";
import type { ActionResult } from "@/lib/schemas/action-result";
import { runInventoryAction } from "@/lib/server/inventory/action";
import { createVm, deleteVm, updateVm } from "@/lib/server/inventory/vms";

type Input = FormData | Record<string, unknown>;
type Prev = ActionResult<unknown> | null;

export async function createVmAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreateVmInput, input, (raw, ctx) => createVm(raw, ctx));
}

export async function updateVmAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateVmInput, input, (raw, ctx) => updateVm(raw, ctx));
}

export async function deleteVmAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw, ctx) => deleteVm(raw, ctx));
}
