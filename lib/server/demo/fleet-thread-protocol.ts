// Messages between the HA controller's thread and the demo fleet's thread
// (lib/server/demo/fleet-thread.ts). Types only.
export interface FleetThreadInit {
  databaseUrl: string;
  /** The agent listener the simulated agents talk to, like real agents (http://127.0.0.1:<port>). */
  agentUrl: string;
  timing: { heartbeatMs: number; isolationTimeoutMs: number; vmStartMs: number };
  clusterId: string | null;
  maxHosts: number;
  logLevel: string;
}

export type FleetOp = "fault" | "hostStatus" | "vmRunning";

export type ToFleet = { t: "call"; id: number; op: FleetOp; args: unknown[] } | { t: "stop" };

export type FromFleet =
  | { t: "ready"; demo: boolean; agents: number }
  | { t: "failed"; message: string }
  | { t: "agents"; n: number }
  | { t: "reply"; id: number; ok: true; value: unknown }
  | { t: "reply"; id: number; ok: false; error: { code: string; message: string; fieldErrors?: Record<string, string[]> } }
  | { t: "stopped" };
