"use server";
// Network admin actions: thin over lib/server/inventory/networks.
import { ZCreateNetworkInput, ZDeleteInput, ZUpdateNetworkInput } from "@/lib/schemas/inventory";
import type { ActionResult } from "@/lib/schemas/action-result";
import { runInventoryAction } from "@/lib/server/inventory/action";
import { createNetwork, deleteNetwork, updateNetwork } from "@/lib/server/inventory/networks";

type Input = FormData | Record<string, unknown>;
type Prev = ActionResult<unknown> | null;

export async function createNetworkAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreateNetworkInput, input, (raw, ctx) => createNetwork(raw, ctx));
}

export async function updateNetworkAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateNetworkInput, input, (raw, ctx) => updateNetwork(raw, ctx));
}

export async function deleteNetworkAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw, ctx) => deleteNetwork(raw, ctx));
}
