import "server-only";
// Starts the dedicated agent listener on its own thread (lib/server/http/agent-listener-thread.ts)
// and serves, on the HA controller's thread, what that thread hands over: heartbeats to fold in
// and the requests it does not answer itself. Only where the controller runs from the sources (its
// own process, lib/server/control/main.ts) on a SQLite store; otherwise null, and the caller
// starts the in-thread listener (startAgentListener).
import { startThread, threadEntry } from "@/lib/server/threads";
import type { AddressInfo } from "node:net";
import { sqliteReader } from "@/lib/server/db";
import { getController, HEARTBEAT_LIMIT } from "@/lib/server/ha/controller";
import type { Logger } from "@/lib/server/ha/log";
import type { THeartbeat } from "@/lib/schemas/agent";
import { answerAgentCall } from "./agent-listener";
import type { FromListener, ThreadInit, ToListener } from "./agent-listener-protocol";
import { MAX_BODY_BYTES, checkJsonContentType, parseJsonBody } from "./problem";

export interface AgentListenerThread {
  address(): AddressInfo;
  close(cb?: () => void): void;
}


export async function startAgentListenerThread(port: number, host: string, log: Logger): Promise<AgentListenerThread | null> {
  const controller = getController();
  const file = threadEntry("lib/server/http/agent-listener-thread-boot.mjs");
  const store = controller ? sqliteReader(controller.db)?.name : undefined;
  if (!controller || !file || !store) return null;
  const init: Omit<ThreadInit, "heartbeats"> = {
    port,
    host,
    file: store,
    heartbeatMs: controller.timing.heartbeatMs,
    limit: process.env.HAVEN_HEARTBEAT_RATE_LIMIT === "off" ? false : { ...HEARTBEAT_LIMIT },
    maxBodyBytes: MAX_BODY_BYTES,
  };
  // Heartbeats come on a channel of their own, taken synchronously (receiveMessageOnPort): before
  // each detection, before any other request of the thread is served (so a host's heartbeat is
  // folded in before the command fetch it sent after it), and every 20 ms.
  const { MessageChannel, receiveMessageOnPort } = (process as unknown as { getBuiltinModule(id: string): typeof import("node:worker_threads") }).getBuiltinModule("node:worker_threads");
  const hbChannel = new MessageChannel();
  const drain = () => {
    const ctl = getController();
    for (let m = receiveMessageOnPort(hbChannel.port1); m; m = receiveMessageOnPort(hbChannel.port1)) {
      try {
        ctl?.noteHeartbeat((m.message as { hb: THeartbeat }).hb);
      } catch {
        // The listener's thread rate-limits per host; this thread's own limit can only trip on
        // heartbeats that queued up while it was busy, and they still tell the host is alive.
      }
    }
  };
  controller.beforeDetect.push(drain);
  const drainTimer = setInterval(drain, 20);
  drainTimer.unref();
  const worker = startThread(file, { workerData: { ...init, heartbeats: hbChannel.port2 }, transferList: [hbChannel.port2], execArgv: ["--conditions=react-server"], env: process.env });
  const send = (m: ToListener) => worker.postMessage(m);
  let closed = false;
  let onClosed: (() => void) | undefined;
  const bound = await new Promise<number>((resolve, reject) => {
    const early = (e: Error) => reject(e);
    worker.once("error", early);
    worker.on("message", function first(m: FromListener) {
      if (m.t === "listening") {
        worker.off("message", first);
        worker.off("error", early);
        resolve(m.port);
      } else if (m.t === "error") reject(new Error(m.message));
    });
  });
  worker.on("message", (m: FromListener) => {
    if (m.t === "call") {
      drain();
      void answerAgentCall(
        {
          method: m.method,
          path: m.path,
          authorization: m.authorization,
          body: async () => {
            checkJsonContentType(m.contentType);
            return parseJsonBody(m.body ?? "");
          },
        },
        "agent-listener",
      ).then((parts) => send({ t: "reply", id: m.id, parts }));
    } else if (m.t === "closed") onClosed?.();
  });
  worker.on("error", (err) => log.error({ err }, "the agent listener's thread failed"));
  worker.on("exit", (code) => {
    if (!closed) log.error({ code }, "the agent listener's thread exited; agents cannot reach this controller until it restarts");
  });
  // Settings can change the heartbeat interval the rate limit is measured against.
  let hbMs = init.heartbeatMs;
  const timer = setInterval(() => {
    const cur = getController()?.timing.heartbeatMs;
    if (cur && cur !== hbMs) send({ t: "timing", heartbeatMs: (hbMs = cur) });
  }, 2000);
  timer.unref();
  worker.unref();
  return {
    address: () => ({ address: host, family: host.includes(":") ? "IPv6" : "IPv4", port: bound }),
    close(cb) {
      closed = true;
      clearInterval(timer);
      clearInterval(drainTimer);
      const i = controller.beforeDetect.indexOf(drain);
      if (i >= 0) controller.beforeDetect.splice(i, 1);
      onClosed = () => {
        void worker.terminate().then(() => cb?.());
      };
      send({ t: "close" });
    },
  };
}
