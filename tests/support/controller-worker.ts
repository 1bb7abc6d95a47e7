// A console process for the crash test (tests/ha/crash-kill.test.ts): the HA controller on the
// wall clock over the SQLite store in DATABASE_URL, plus the dedicated agent listener on
// WORKER_PORT. Run with `node --import tsx --conditions=react-server`.
//
// It starts as a warm standby: modules loaded, "warm" printed, nothing opened. A line "go" on
// stdin makes it open the store, start the controller and the listener and print "ready", so a
// test can SIGKILL the running console and have the next one serving within a fraction of a second
// (agents' isolation timeout is short in the test). Every committed controller event is printed as
// `event {"kind","hostId","vmId"}`. The worker exits when stdin closes (its test is gone).
import readline from "node:readline";

const url = process.env.DATABASE_URL;
const port = Number(process.env.WORKER_PORT ?? "");
const stepMs = Number(process.env.WORKER_STEP_MS ?? "100");
if (!url || !(port > 0)) {
  process.stderr.write("controller-worker: DATABASE_URL and WORKER_PORT are required\n");
  process.exit(2);
}

const [{ createDb }, { startController, startStepLoop }, { systemClock }, { createStderrLogger }, { startAgentListener }] = await Promise.all([
  import("@/lib/server/db"),
  import("@/lib/server/ha/controller"),
  import("@/lib/server/ha/clock"),
  import("@/lib/server/ha/log"),
  import("@/lib/server/http/agent-listener"),
]);

const out = (line: string) => process.stdout.write(line + "\n");
let started = false;

async function go(): Promise<void> {
  if (started) return;
  started = true;
  const db = createDb(url);
  const log = createStderrLogger((process.env.HAVEN_LOG_LEVEL as "warn") ?? "warn", "crash-worker");
  const controller = startController({
    db,
    clock: systemClock,
    log,
    pacing: true,
    onEvent: (e) => out(`event ${JSON.stringify({ kind: e.kind, hostId: e.hostId ?? null, vmId: e.vmId ?? null })}`),
  });
  await controller.start();
  await startAgentListener(port, "127.0.0.1");
  startStepLoop(controller, stepMs, log); // the server's step loop (lib/server/ha/instance.ts)
  out("ready");
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (l) => {
  if (l.trim() === "go")
    go().catch((err) => {
      process.stderr.write(`controller-worker: start failed: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    });
});
rl.on("close", () => process.exit(0));
out("warm");
