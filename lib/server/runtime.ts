import "server-only";
// What the HA controller process runs (lib/server/control/main.ts, forked by instrumentation.ts;
// or the console's own process with HAVEN_CONTROLLER=inline): the HA controller on the wall clock
// over the store, in demo mode the simulated agent fleet for the hosts in the store, and with
// HAVEN_AGENT_PORT the dedicated agent listener (lib/server/http/agent-listener.ts). Idempotent:
// a second call returns what is running.
import { getDb } from "@/lib/server/db";
import { getController, startController, startStepLoop, type HaController } from "@/lib/server/ha/controller";
import { systemClock } from "@/lib/server/ha/clock";
import { createStderrLogger } from "@/lib/server/ha/log";
import { demoMaxHosts, isDemoModeFor, setProcessDemoMode } from "@/lib/server/demo/mode";
import { getDemoFleet, startDemoFleet } from "@/lib/server/demo/fleet";
import { getDemoFleetThread, startDemoFleetThread } from "@/lib/server/demo/fleet-threaded";
import { databaseUrl } from "@/lib/db-url";

export const CONTROLLER_STEP_MS = 500;

// The health report lives in lib/server/health.ts (the agent listener reads it without importing this module).
export { getHealth, type HealthReport } from "@/lib/server/health";

const g = globalThis as unknown as { __havenRuntime?: Promise<void>; __havenAgentListener?: { close(cb?: () => void): unknown }; __havenFleetListener?: { close(cb?: () => void): unknown } };

/** Starts the runtime; `onControllerReady` runs once the controller has loaded the store (operations can be served). */
export function startServerRuntime(opts: { onControllerReady?: () => void } = {}): Promise<void> {
  g.__havenRuntime ??= start(opts.onControllerReady);
  return g.__havenRuntime;
}

async function start(onControllerReady?: () => void): Promise<void> {
  const log = createStderrLogger((process.env.HAVEN_LOG_LEVEL as "info") ?? "info", "haven");
  let controller: HaController;
  try {
    // Stepped by this module (below), not by startController's timer: in demo mode the first step
    // waits until the simulated agents have loaded and heartbeated once, so a large store's
    // hosts do not all look unreachable while the fleet is still reading their VMs.
    controller = getController() ?? startController({ db: getDb(), clock: systemClock, log, pacing: true });
    await controller.start();
    log.info({ hosts: await controller.db.host.count(), stepMs: CONTROLLER_STEP_MS, pid: process.pid }, "HA controller started");
    onControllerReady?.();
  } catch (err) {
    log.error({ err }, "the HA controller did not start (is the store migrated?)");
    return;
  }
  const agentPort = Number(process.env.HAVEN_AGENT_PORT ?? "");
  /** Where the demo fleet's agents send their calls (this process's agent listener). */
  let agentUrl: string | null = null;
  if (agentPort > 0 && !g.__havenAgentListener) {
    try {
      const host = process.env.HAVEN_AGENT_HOST || "0.0.0.0";
      // On its own thread where it can (a SQLite store, the controller in its own process): a
      // heartbeat is then answered while this thread plans a mass failover (HAVEN_AGENT_THREAD=0: not).
      const { startAgentListenerThread } = await import("@/lib/server/http/agent-listener-threaded");
      const threaded = process.env.HAVEN_AGENT_THREAD === "0" ? null : await startAgentListenerThread(agentPort, host, log);
      if (threaded) g.__havenAgentListener = threaded;
      else {
        const { startAgentListener } = await import("@/lib/server/http/agent-listener");
        g.__havenAgentListener = await startAgentListener(agentPort, host);
      }
      log.info({ port: agentPort, thread: !!threaded }, "agent listener started (the agent protocol without the page router)");
      agentUrl = `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${agentPort}`;
    } catch (err) {
      log.error({ err, port: agentPort }, "the agent listener did not start");
    }
  }
  // Demo mode is the store's (Cluster.demo); outside it nothing is simulated, so no host keeps a
  // "simulated" mark that no fleet drives.
  const demo = await isDemoModeFor(controller.db).catch(() => false);
  setProcessDemoMode(demo);
  if (!demo) await controller.db.host.updateMany({ where: { simulated: true }, data: { simulated: false } }).catch(() => undefined);
  if (demo && !getDemoFleet() && !getDemoFleetThread()) {
    try {
      // On its own thread, its agents talking HTTP to the agent listener as real agents do (a
      // loopback-only listener when HAVEN_AGENT_PORT opens none); in process where that cannot
      // run (bundled code) or with HAVEN_DEMO_FLEET_THREAD=0.
      let thread = null;
      if (process.env.HAVEN_DEMO_FLEET_THREAD !== "0") {
        agentUrl ??= await loopbackListener(log);
        thread = await startDemoFleetThread(
          { databaseUrl: databaseUrl(), agentUrl, timing: { ...controller.timing }, clusterId: controller.clusterId ?? null, maxHosts: demoMaxHosts(), logLevel: process.env.HAVEN_LOG_LEVEL ?? "info" },
          log,
        );
      }
      if (thread) log.info({ hosts: thread.agents(), agentUrl }, "demo: the simulated fleet runs on its own thread");
      else await startDemoFleet(controller, { maxHosts: demoMaxHosts(), log });
      await new Promise((r) => setTimeout(r, controller.timing.heartbeatMs + 500));
    } catch (err) {
      log.error({ err }, "the demo fleet did not start");
    }
  }
  startStepLoop(controller, CONTROLLER_STEP_MS, log); // lib/server/ha/instance.ts: one step at a time, skipped once it is not the process's controller
}

/** An agent listener on 127.0.0.1 and a free port, for the demo fleet only; its base URL. */
async function loopbackListener(log: ReturnType<typeof createStderrLogger>): Promise<string> {
  const { startAgentListenerThread } = await import("@/lib/server/http/agent-listener-threaded");
  const threaded = await startAgentListenerThread(0, "127.0.0.1", log);
  if (threaded) {
    g.__havenFleetListener = threaded;
    return `http://127.0.0.1:${threaded.address().port}`;
  }
  const { startAgentListener } = await import("@/lib/server/http/agent-listener");
  const server = await startAgentListener(0, "127.0.0.1");
  g.__havenFleetListener = server;
  return `http://127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`;
}
