"use server";
// Operator actions: power a VM on/off, host maintenance (alerts: alerts/actions.ts).
// Thin over lib/server/ops.ts, which checks the role (operator or admin) and audits.
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { enterMaintenanceAs, exitMaintenanceAs, powerOffVmAs, powerOnVmAs } from "@/lib/server/ops";

type Prev = ActionResult<unknown> | null;
type Input = FormData | Record<string, unknown>;

export async function powerOnVmAction(_prev: Prev, input: Input) {
  return runServiceAction(input, (raw, ctx) => powerOnVmAs(raw, ctx));
}

export async function powerOffVmAction(_prev: Prev, input: Input) {
  return runServiceAction(input, (raw, ctx) => powerOffVmAs(raw, ctx));
}

export async function enterMaintenanceAction(_prev: Prev, input: Input) {
  return runServiceAction(input, (raw, ctx) => enterMaintenanceAs(raw, ctx));
}

export async function exitMaintenanceAction(_prev: Prev, input: Input) {
  return runServiceAction(input, (raw, ctx) => exitMaintenanceAs(raw, ctx));
}
