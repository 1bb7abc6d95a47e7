"use server";
// Host, GPU and NIC admin actions: thin over lib/server/inventory.
import {
  ZClearNicTagInput,
  ZCreateGpuInput,
  ZCreateHostInput,
  ZCreateNicInput,
  ZDeleteInput,
  ZSetNicTagInput,
  ZUpdateGpuInput,
  ZUpdateHostInput,
  ZUpdateNicInput,
} from "@/lib/schemas/inventory";
import type { ActionResult } from "@/lib/schemas/action-result";
import { runInventoryAction } from "@/lib/server/inventory/action";
import { createHost, deleteHost, updateHost } from "@/lib/server/inventory/hosts";
import { createGpu, deleteGpu, updateGpu } from "@/lib/server/inventory/gpus";
import { clearNicTag, createNic, deleteNic, setNicTag, updateNic } from "@/lib/server/inventory/nics";

type Input = FormData | Record<string, unknown>;
type Prev = ActionResult<unknown> | null;

export async function createHostAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreateHostInput, input, (raw, ctx) => createHost(raw, ctx));
}

export async function updateHostAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateHostInput, input, (raw, ctx) => updateHost(raw, ctx));
}

export async function deleteHostAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw, ctx) => deleteHost(raw, ctx));
}

export async function createGpuAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreateGpuInput, input, (raw, ctx) => createGpu(raw, ctx));
}

export async function updateGpuAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateGpuInput, input, (raw, ctx) => updateGpu(raw, ctx));
}

export async function deleteGpuAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw, ctx) => deleteGpu(raw, ctx));
}

export async function createNicAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreateNicInput, input, (raw, ctx) => createNic(raw, ctx));
}

export async function updateNicAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateNicInput, input, (raw, ctx) => updateNic(raw, ctx));
}

export async function deleteNicAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw, ctx) => deleteNic(raw, ctx));
}

export async function setNicTagAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZSetNicTagInput, input, (raw, ctx) => setNicTag(raw, ctx));
}

export async function clearNicTagAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZClearNicTagInput, input, (raw, ctx) => clearNicTag(raw, ctx));
}
