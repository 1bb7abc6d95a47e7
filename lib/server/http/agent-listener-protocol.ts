// Messages between the HA controller's thread and the agent listener's thread
// (lib/server/http/agent-listener-thread.ts). Types only.
import type { THeartbeat } from "@/lib/schemas/agent";
import type { MessagePort } from "node:worker_threads";
import type { ResponseParts } from "./problem";

export interface ThreadInit {
  port: number;
  host: string;
  /** The SQLite file of the store (the thread reads tokens and pending commands from it). */
  file: string;
  heartbeatMs: number;
  /** The per-host heartbeat rate limit (the controller's HEARTBEAT_LIMIT), false: none. */
  limit: { burst: number; perInterval: number } | false;
  maxBodyBytes: number;
  /** Where the thread puts the heartbeats it answered (the controller's thread takes them synchronously). */
  heartbeats: MessagePort;
}

export type FromListener =
  | { t: "listening"; port: number }
  | { t: "error"; message: string }
  | { t: "closed" }
  /** Any other request, for the controller's thread to answer (handleAgentCall). */
  | { t: "call"; id: number; method: string; path: string; authorization: string | null; contentType: string | null; body: string | null };

/** On the heartbeats port: a heartbeat the thread authenticated, validated and answered. */
export type HeartbeatMessage = { t: "hb"; hb: THeartbeat };

export type ToListener = { t: "reply"; id: number; parts: ResponseParts } | { t: "timing"; heartbeatMs: number } | { t: "close" };
