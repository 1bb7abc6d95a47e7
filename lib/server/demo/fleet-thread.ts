// The demo fleet on its own thread of the HA controller's process: its simulated agents talk to
// the agent listener over HTTP exactly as real agents do, on a thread of their own, so a busy
// controller thread (a mass failover on a large cluster) neither slows their heartbeats nor shares
// its event loop with a thousand agents. Started by lib/server/demo/fleet-threaded.ts; faults and
// status questions come as messages (lib/server/demo/fleet-thread-protocol.ts).
import { parentPort, workerData } from "node:worker_threads";
import { createDb } from "@/lib/server/db";
import { isAppError } from "@/lib/server/errors";
import { createStderrLogger } from "@/lib/server/ha/log";
import { applyDemoFault, demoHostStatus, demoVmRunning } from "./faults";
import { createDemoFleet } from "./fleet";
import type { FleetThreadInit, FromFleet, ToFleet } from "./fleet-thread-protocol";

const init = workerData as FleetThreadInit;
const port = parentPort!;
const post = (m: FromFleet) => port.postMessage(m);
const log = createStderrLogger(init.logLevel as "info", "haven");
const db = createDb(init.databaseUrl);

try {
  const fleet = await createDemoFleet({ db, timing: init.timing, clusterId: init.clusterId, agentUrl: init.agentUrl }, { maxHosts: init.maxHosts, log });
  let lastCount = -1;
  const counter = setInterval(() => {
    if (fleet.fleet.agents.size !== lastCount) post({ t: "agents", n: (lastCount = fleet.fleet.agents.size) });
  }, 1000);
  port.on("message", (m: ToFleet) => {
    if (m.t === "stop") {
      clearInterval(counter);
      fleet.stop();
      void db.$disconnect().finally(() => post({ t: "stopped" }));
      return;
    }
    Promise.resolve()
      .then((): unknown => {
        if (m.op === "fault") return applyDemoFault(m.args[0], fleet);
        if (m.op === "hostStatus") return demoHostStatus(String(m.args[0]), fleet);
        return demoVmRunning(String(m.args[0]), fleet);
      })
      .then(
        (value) => post({ t: "reply", id: m.id, ok: true, value }),
        (err) => {
          if (isAppError(err)) post({ t: "reply", id: m.id, ok: false, error: { code: err.code, message: err.message, fieldErrors: err.fieldErrors } });
          else {
            log.error({ err }, `demo fleet: ${m.op} failed`);
            post({ t: "reply", id: m.id, ok: false, error: { code: "INTERNAL", message: "Something went wrong in the demo fleet" } });
          }
        },
      );
  });
  post({ t: "ready", demo: fleet.demo, agents: fleet.fleet.agents.size });
} catch (err) {
  log.error({ err }, "the demo fleet's thread did not start");
  post({ t: "failed", message: (err as Error).message });
}
