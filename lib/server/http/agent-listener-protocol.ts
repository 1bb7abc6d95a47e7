// Messages between the HA controller's thread and the agent listener's thread
// (lib/server/http/agent-listener-thread.ts). Types only.
import type { THeartbeat } from "@/lib/schemas/agent";
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
}

export type FromListener =
  | { t: "listening"; port: number }
  | { t: "error"; message: string }
  | { t: "closed" }
  /** A heartbeat the thread authenticated, validated and answered: the controller folds it in. */
  | { t: "hb"; hb: THeartbeat }
  /** Any other request, for the controller's thread to answer (handleAgentCall). */
  | { t: "call"; id: number; method: string; path: string; authorization: string | null; contentType: string | null; body: string | null };

export type ToListener = { t: "reply"; id: number; parts: ResponseParts } | { t: "timing"; heartbeatMs: number } | { t: "close" };
