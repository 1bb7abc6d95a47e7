"use server";
// GPU mode switch (admins; checked in lib/server/gpu-mode.ts and the inventory GPU service).
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { switchGpuMode, type GpuModeSwitchResult } from "@/lib/server/gpu-mode";

export async function switchGpuModeAction(_prev: ActionResult<unknown> | null, input: FormData | Record<string, unknown>): Promise<ActionResult<GpuModeSwitchResult>> {
  return runServiceAction(input, (raw, ctx) => switchGpuMode(raw, ctx));
}
