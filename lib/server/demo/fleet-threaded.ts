import "server-only";
// Starts the demo fleet on its own thread (lib/server/demo/fleet-thread.ts) and is its handle in
// the HA controller's process: the control operations (faults, a host's simulated status, whether
// a VM runs) become messages to it. Its agents reach the controller through the agent listener.
import { startThread, threadEntry } from "@/lib/server/threads";
import { AppError, type AppErrorCode } from "@/lib/server/errors";
import type { Logger } from "@/lib/server/ha/log";
import type { FleetOp, FleetThreadInit, FromFleet, ToFleet } from "./fleet-thread-protocol";

export interface DemoFleetThread {
  /** Whether the store was in demo mode when the fleet started (without it nothing is simulated). */
  readonly demo: boolean;
  /** How many hosts its agents simulate (updated every second). */
  agents(): number;
  call<T>(op: FleetOp, ...args: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

const g = globalThis as unknown as { __havenDemoFleetThread?: DemoFleetThread };

export function getDemoFleetThread(): DemoFleetThread | null {
  return g.__havenDemoFleetThread ?? null;
}


/** Null where it cannot run (bundled code): the caller starts the in-process fleet. */
export async function startDemoFleetThread(init: FleetThreadInit, log: Logger): Promise<DemoFleetThread | null> {
  if (g.__havenDemoFleetThread) return g.__havenDemoFleetThread;
  const file = threadEntry("lib/server/demo/fleet-thread-boot.mjs");
  if (!file) return null;
  const worker = startThread(file, { workerData: init, execArgv: ["--conditions=react-server"], env: process.env });
  const send = (m: ToFleet) => worker.postMessage(m);
  let count = 0;
  let nextId = 1;
  let stopped = false;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let onStopped: (() => void) | undefined;
  const ready = await new Promise<{ demo: boolean; agents: number }>((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (m: FromFleet) => {
      if (m.t === "ready") resolve(m);
      else if (m.t === "failed") reject(new Error(m.message));
      else if (m.t === "agents") count = m.n;
      else if (m.t === "reply") {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (!w) return;
        if (m.ok) w.resolve(m.value);
        else w.reject(new AppError(m.error.code as AppErrorCode, m.error.message, m.error.fieldErrors));
      } else if (m.t === "stopped") onStopped?.();
    });
  });
  count = ready.agents;
  worker.on("error", (err) => log.error({ err }, "the demo fleet's thread failed"));
  worker.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new AppError("UNAVAILABLE", "The demo fleet stopped"));
    waiting.clear();
    if (!stopped) log.error({ code }, "the demo fleet's thread exited: the simulated hosts stop heartbeating");
    if (g.__havenDemoFleetThread === handle) g.__havenDemoFleetThread = undefined;
  });
  worker.unref();
  const handle: DemoFleetThread = {
    demo: ready.demo,
    agents: () => count,
    call<T>(op: FleetOp, ...args: unknown[]) {
      return new Promise<T>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        send({ t: "call", id, op, args });
      });
    },
    async stop() {
      stopped = true;
      if (g.__havenDemoFleetThread === handle) g.__havenDemoFleetThread = undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        onStopped = () => {
          clearTimeout(timer);
          resolve();
        };
        send({ t: "stop" });
      });
      await worker.terminate();
    },
  };
  g.__havenDemoFleetThread = handle;
  return handle;
}
