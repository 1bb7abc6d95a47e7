import "server-only";
// `control(op, …args)`: an operation of lib/server/control/ops.ts, run where the HA controller
// runs — here when this process has one, else in the controller process over its channel
// (lib/server/control/process.ts). No decision is taken on this side: it only carries the call.
import { getController } from "@/lib/server/ha/controller";
import { AppError } from "@/lib/server/errors";
import type { ControlOp, ControlOps } from "./ops";
import { controllerProcess } from "./process";

type Args<K extends ControlOp> = Parameters<ControlOps[K]>;
type Result<K extends ControlOp> = Awaited<ReturnType<ControlOps[K]>>;

export async function control<K extends ControlOp>(op: K, ...args: Args<K>): Promise<Result<K>> {
  return controlWithin(op, undefined, ...args);
}

/** As control(), failing with UNAVAILABLE after `timeoutMs` when the controller process does not answer. */
export async function controlWithin<K extends ControlOp>(op: K, timeoutMs: number | undefined, ...args: Args<K>): Promise<Result<K>> {
  if (getController()) {
    // Loaded on use: ops.ts imports the services that call control() (no import loop).
    const { controlOps } = await import("./ops");
    return (controlOps[op] as (...a: Args<K>) => Promise<Result<K>>)(...args);
  }
  const proc = controllerProcess();
  if (!proc) throw new AppError("UNAVAILABLE", "The HA controller is not running for this console (HAVEN_CONTROLLER=0)");
  return (await proc.call(op, args, timeoutMs)) as Result<K>;
}

/** Whether a controller answers this process's calls (locally or through the controller process). */
export function controllerAttached(): boolean {
  return !!getController() || !!controllerProcess();
}
