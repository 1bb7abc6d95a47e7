import "server-only";
// The HA controller's own process, seen from the console's server process. `next start` renders
// pages on one event loop; the failure detector, the agent listener and the demo fleet must never
// wait behind a page render, so instrumentation.ts forks lib/server/control/main.ts and the
// console reaches the controller only through `control()` (client.ts) over the process channel.
// Both processes share the store; the store is the truth, the channel carries operations.
//
// The child is restarted when it dies (1 s, backing off to 10 s) and exits when this process does
// (its channel closes). Calls made while it is down fail with UNAVAILABLE (503), never hang.
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { AppError, APP_ERROR_CODES, type AppErrorCode, type FieldErrors } from "@/lib/server/errors";

const DEFAULT_TIMEOUT_MS = 30_000;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

export type ControlReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { code: string; message: string; fieldErrors?: FieldErrors } };
export type ControlRequest = { id: number; op: string; args: unknown[] };

export class ControllerProcess {
  private child: ChildProcess | null = null;
  private seq = 0;
  private pending = new Map<number, Pending>();
  private stopped = false;
  private restartDelayMs = 1000;
  private readyWaiters: (() => void)[] = [];
  ready = false;
  startedAt = 0;
  restarts = 0;

  constructor(
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (msg: string) => void = (m) => process.stderr.write(`haven: ${m}\n`),
  ) {}

  start(): void {
    if (this.stopped || this.child) return;
    this.ready = false;
    this.startedAt = Date.now();
    const child = fork(this.entry, [], {
      cwd: process.cwd(),
      // HAVEN_CONTROLLER_NODE_ARGS: extra node flags for the controller process (e.g. --cpu-prof).
      execArgv: ["--import", "tsx", "--conditions=react-server", ...(process.env.HAVEN_CONTROLLER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean)],
      serialization: "advanced",
      env: { ...this.env, HAVEN_CONTROL_CHILD: "1" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child = child;
    child.on("message", (m: ControlReply | { type: "ready" }) => {
      if ("type" in m) {
        if (m.type === "ready") {
          this.ready = true;
          this.restartDelayMs = 1000;
          for (const w of this.readyWaiters.splice(0)) w();
        }
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.value);
      else p.reject(toAppError(m.error));
    });
    child.on("exit", (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.ready = false;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new AppError("UNAVAILABLE", "The HA controller process stopped while handling the request; try again"));
        this.pending.delete(id);
      }
      if (this.stopped) return;
      this.restarts++;
      this.log(`the HA controller process exited (${signal ?? `code ${code}`}); restarting in ${this.restartDelayMs} ms`);
      const t = setTimeout(() => this.start(), this.restartDelayMs);
      t.unref?.();
      this.restartDelayMs = Math.min(this.restartDelayMs * 2, 10_000);
    });
  }

  /** Resolves once the controller process said it is ready (or after `timeoutMs`). */
  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  call(op: string, args: unknown[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    const child = this.child;
    if (!child || !child.connected || !this.ready) return Promise.reject(new AppError("UNAVAILABLE", "The HA controller is starting or restarting; try again in a moment"));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError("UNAVAILABLE", `The HA controller did not answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const req: ControlRequest = { id, op, args };
      child.send(req, (err) => {
        if (!err) return;
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        reject(new AppError("UNAVAILABLE", "The HA controller process cannot be reached; try again"));
      });
    });
  }

  pid(): number | null {
    return this.child?.pid ?? null;
  }

  stop(): void {
    this.stopped = true;
    this.child?.kill("SIGTERM");
  }
}

function toAppError(e: { code: string; message: string; fieldErrors?: FieldErrors }): AppError {
  const code = (APP_ERROR_CODES as readonly string[]).includes(e.code) ? (e.code as AppErrorCode) : "INTERNAL";
  return new AppError(code, e.message, e.fieldErrors);
}

// One per server process: a bundle may load this module more than once, so the handle lives on
// globalThis. It is a channel, not a source of truth (no decision rests on it).
const g = globalThis as unknown as { __havenControllerProcess?: ControllerProcess };

export function controllerProcess(): ControllerProcess | null {
  return g.__havenControllerProcess ?? null;
}

/** Forks the controller process once for this server process. */
export function startControllerProcess(): ControllerProcess {
  if (g.__havenControllerProcess) return g.__havenControllerProcess;
  const root = process.env.HAVEN_ROOT || process.cwd();
  const proc = new ControllerProcess(path.join(root, "lib", "server", "control", "main.ts"), process.env);
  g.__havenControllerProcess = proc;
  proc.start();
  // The controller process was forked at this process's priority; page rendering now steps back
  // (nice +HAVEN_PAGE_NICE, default 5) so that on a busy machine the CPU goes to failure
  // detection and heartbeats first. Raising one's own niceness needs no privilege.
  const nice = Number(process.env.HAVEN_PAGE_NICE ?? "5");
  if (Number.isFinite(nice) && nice > 0) {
    try {
      os.setPriority(Math.min(19, os.getPriority() + nice));
    } catch {
      /* not allowed here: fine */
    }
  }
  const stop = () => proc.stop();
  process.once("exit", stop);
  return proc;
}
