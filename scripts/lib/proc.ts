// Child processes for the project scripts: binaries from node_modules/.bin, inherited stdio,
// and a quiet environment (no telemetry, no update checks).
import { spawn, type SpawnOptions } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

export function bin(name: string): string {
  return path.join(ROOT, "node_modules", ".bin", name);
}

/** Extra environment variables for a child (merged over process.env). */
export type Env = Record<string, string | undefined>;

export const QUIET_ENV = {
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};

/** Runs a command to completion; resolves with its exit code (signals map to 128+n). */
export function run(cmd: string, args: string[], opts: Omit<SpawnOptions, "env"> & { env?: Env } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: "inherit", ...opts, env: { ...process.env, ...QUIET_ENV, ...opts.env } as NodeJS.ProcessEnv });
    child.on("error", (e) => {
      console.error(`${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
  });
}

function signalNumber(s: string): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[s];
}

/** Runs a command and exits this process when it fails. */
export async function runOrExit(what: string, cmd: string, args: string[], opts: Omit<SpawnOptions, "env"> & { env?: Env } = {}): Promise<void> {
  const code = await run(cmd, args, opts);
  if (code !== 0) {
    console.error(`${what} failed (exit ${code})`);
    process.exit(code);
  }
}
