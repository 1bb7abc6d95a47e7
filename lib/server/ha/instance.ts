import "server-only";
// One HA controller per process, and the one step loop that drives it on the wall clock: used by
// the server runtime (lib/server/runtime.ts), the crash test's worker and startController's
// `intervalMs`. Tests and the scenario runner build their own instance and call step() themselves.
import type { HaController } from "./controller";
import type { Logger } from "./log";

const g = globalThis as unknown as { __havenHa?: { controller: HaController; timer: ReturnType<typeof setInterval> | null } };

/**
 * Registers THE controller of this process (a second call returns the running one), made by
 * `make`. With `intervalMs` its step loop starts at once; without, the caller steps it (or starts
 * the loop later with startStepLoop).
 */
export function registerController(make: () => HaController, opts: { intervalMs?: number } = {}): HaController {
  if (g.__havenHa) return g.__havenHa.controller;
  const controller = make();
  g.__havenHa = { controller, timer: null };
  if (opts.intervalMs) startStepLoop(controller, opts.intervalMs);
  return controller;
}

/** The running controller of this process, if any. */
export function getController(): HaController | null {
  return g.__havenHa?.controller ?? null;
}

/** Stops the step loop and forgets the process's controller. */
export function stopController(): void {
  if (g.__havenHa?.timer) clearInterval(g.__havenHa.timer);
  g.__havenHa = undefined;
}

/**
 * Steps the process's controller every `intervalMs` on the wall clock: one step at a time (a
 * tick while one runs is skipped), none once it is no longer the process's controller, failures
 * logged. One loop per controller (a second call keeps the first; stopController ends it); the
 * timer does not keep the process alive.
 */
export function startStepLoop(controller: HaController, intervalMs: number, log: Logger = controller.log): ReturnType<typeof setInterval> {
  const slot = g.__havenHa?.controller === controller ? g.__havenHa : null;
  if (slot?.timer) return slot.timer;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || getController() !== controller) return;
    busy = true;
    controller
      .step()
      .catch((err) => log.error({ err }, "HA controller step failed"))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  (timer as { unref?: () => void }).unref?.();
  if (slot) slot.timer = timer;
  return timer;
}
