// Faults a person can inject into the demo cluster's simulated fleet (POST /api/v1/demo/faults).
// The same actions as a scenario timeline (../shared/scenarios/FORMAT.md), applied now.
import { z } from "zod";

const ref = z.string().trim().min(1).max(128);

export const ZDemoFault = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("host-down"), host: ref }),
  z.strictObject({ action: z.literal("host-up"), host: ref }),
  z.strictObject({ action: z.literal("host-isolate"), host: ref }),
  z.strictObject({ action: z.literal("host-rejoin"), host: ref }),
  z.strictObject({ action: z.literal("nic-down"), host: ref, nic: ref }),
  z.strictObject({ action: z.literal("nic-up"), host: ref, nic: ref }),
  z.strictObject({ action: z.literal("storage-down"), host: ref }),
  z.strictObject({ action: z.literal("storage-up"), host: ref }),
  z.strictObject({ action: z.literal("vm-crash"), vm: ref, localRestartFails: z.boolean().default(false) }),
]);
export type TDemoFault = z.output<typeof ZDemoFault>;
export type TDemoFaultInput = z.input<typeof ZDemoFault>;
export type TDemoFaultAction = TDemoFault["action"];

export interface TDemoFaultResult {
  ok: true;
  action: TDemoFaultAction;
  host: string | null;
  vm: string | null;
  message: string;
}
