// Worker threads of the HA controller's process (the agent listener's, the demo fleet's) start
// from their TypeScript sources through tsx, so they exist only where the controller runs from
// the sources: its own process (lib/server/control/main.ts), which names the source root here
// before it starts anything. In the console's bundled server (HAVEN_CONTROLLER=inline) no root is
// set and the callers fall back to running the same work on the controller's thread.
//
// The Worker class and the entry's path are looked up at run time on purpose: a bundler that sees
// `new Worker(…)` or a path built from `import.meta.url` would try to bundle the thread's code
// (and everything it imports) into the console's server.
import fs from "node:fs";
import path from "node:path";
import type { Worker as WorkerType, WorkerOptions } from "node:worker_threads";

const g = globalThis as unknown as { __havenSourceRoot?: string };

/** The repository root the thread entries are found under (main.ts and the tests set it). */
export function setThreadSourceRoot(root: string): void {
  g.__havenSourceRoot = root;
}

/** The absolute path of a thread entry (relative to the source root), or null where threads cannot start. */
export function threadEntry(relative: string): string | null {
  const root = g.__havenSourceRoot;
  if (!root) return null;
  const file = path.join(root, relative);
  return fs.existsSync(file) ? file : null;
}

/** Starts a worker thread on `file`. */
export function startThread(file: string, options: WorkerOptions): WorkerType {
  const { Worker } = (process as unknown as { getBuiltinModule(id: string): typeof import("node:worker_threads") }).getBuiltinModule("node:worker_threads");
  return new Worker(file, options);
}
