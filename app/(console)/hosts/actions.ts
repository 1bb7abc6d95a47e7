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
  return runInventoryAction(ZCreateHostInput, input, (raw) => createHost(raw));
}

export async function updateHostAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateHostInput, input, (raw) => updateHost(raw));
}

export async function deleteHostAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw) => deleteHost(raw));
}

export async function createGpuAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreateGpuInput, input, (raw) => createGpu(raw));
}

export async function updateGpuAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateGpuInput, input, (raw) => updateGpu(raw));
}

export async function deleteGpuAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw) => deleteGpu(raw));
}

export async function createNicAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZCreateNicInput, input, (raw) => createNic(raw));
}

export async function updateNicAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZUpdateNicInput, input, (raw) => updateNic(raw));
}

export async function deleteNicAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZDeleteInput, input, (raw) => deleteNic(raw));
}

export async function setNicTagAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZSetNicTagInput, input, (raw) => setNicTag(raw));
}

export async function clearNicTagAction(_prev: Prev, input: Input) {
  return runInventoryAction(ZClearNicTagInput, input, (raw) => clearNicTag(raw));
}
