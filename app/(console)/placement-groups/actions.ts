"use server";
// Placement-group admin actions: thin over lib/server/inventory/placement-groups.
import { ZCreatePlacementGroupInput, ZDeleteInput, ZUpdatePlacementGroupInput } from "@/lib/schemas/inventory";
import type { ActionResult } from "@/lib/schemas/action-result";
import { runInventoryAction } from "@/lib/server/inventory/action";
import { createPlacementGroup, deletePlacementGroup, updatePlacementGroup } from "@/lib/server/inventory/placement-groups";

type Input = FormData | Record<string, unknown>;
type Prev = ActionResult<unknown> | null;

export async function createPlacementGroupAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreatePlacementGroupInput, input, (raw, ctx) => createPlacementGroup(raw, ctx));
}

export async function updatePlacementGroupAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdatePlacementGroupInput, input, (raw, ctx) => updatePlacementGroup(raw, ctx));
}

export async function deletePlacementGroupAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw, ctx) => deletePlacementGroup(raw, ctx));
}
