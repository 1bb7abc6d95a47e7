// The HA controller process: `node --import tsx --conditions=react-server lib/server/control/main.ts`,
// forked by the console's server (lib/server/control/process.ts). It runs the HA controller on
// the wall clock, the dedicated agent listener (HAVEN_AGENT_PORT) and, in demo mode, the simulated
// fleet (lib/server/runtime.ts), and answers the console's operations (lib/server/control/ops.ts)
// on its IPC channel. No page is rendered here, so no page load can delay failure detection.
// It exits when the console's process goes away (the channel closes).
import type { ControlReply, ControlRequest } from "./process";
import { fileURLToPath } from "node:url";

if (!process.send) {
  process.stderr.write("lib/server/control/main.ts runs as the console's child process (it needs an IPC channel)\n");
  process.exit(2);
}
const send = (m: ControlReply | { type: "ready" }) => {
  if (process.connected) process.send!(m);
};
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));

// Issue 13: on a PostgreSQL store several instances elect one controller (lib/server/cluster/member.ts):
// until this process is elected it forwards its console's calls to the leader; then it goes on below.
const cluster = await import("@/lib/server/cluster/member");
if (cluster.clusterMode()) await cluster.joinCluster(send);

const [{ controlOps }, { isAppError }, { startServerRuntime }, { setThreadSourceRoot }] = await Promise.all([
  import("./ops"),
  import("@/lib/server/errors"),
  import("@/lib/server/runtime"),
  import("@/lib/server/threads"),
]);
// This process runs from the sources: its agent listener and demo fleet can have threads of their own.
setThreadSourceRoot(fileURLToPath(new URL("../../..", import.meta.url)));

process.on("message", (m: ControlRequest) => {
  const fn = (controlOps as Record<string, (...a: unknown[]) => Promise<unknown>>)[m.op];
  if (!fn) {
    send({ id: m.id, ok: false, error: { code: "NOT_FOUND", message: `No controller operation ${m.op}` } });
    return;
  }
  Promise.resolve()
    .then(() => fn(...m.args))
    .then(
      (value) => send({ id: m.id, ok: true, value }),
      (err) => {
        if (isAppError(err)) send({ id: m.id, ok: false, error: { code: err.code, message: err.message, fieldErrors: err.fieldErrors } });
        else {
          process.stderr.write(`haven-controller: ${m.op} failed: ${(err as Error)?.stack ?? err}\n`);
          send({ id: m.id, ok: false, error: { code: "INTERNAL", message: "Something went wrong in the HA controller" } });
        }
      },
    );
});

let ready = false;
await startServerRuntime({
  onControllerReady: () => {
    ready = true;
    send({ type: "ready" });
  },
});
// The controller did not start (a store not migrated yet, say): exit, and the console restarts us.
if (!ready) process.exit(1);
// Issue 14: controller metrics (step duration, heartbeats, agent commands) and the notification
// sender, on its own timer: a slow webhook or SMTP server never delays a controller step.
const [{ instrumentController, countDelivery }, { startNotificationSender }, { getDb }, { getController }] = await Promise.all([
  import("@/lib/server/metrics/controller"),
  import("@/lib/server/notify/sender"),
  import("@/lib/server/db"),
  import("@/lib/server/ha/controller"),
]);
const ctl = getController();
if (ctl) instrumentController(ctl);
startNotificationSender({ db: getDb(), onResult: countDelivery });
