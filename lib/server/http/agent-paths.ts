// The agent protocol's paths (one place for the routes' documentation and the agent listener).
import { AppError } from "@/lib/server/errors";

export const AGENT_PATHS = {
  register: "/api/agent/v1/register",
  heartbeat: "/api/agent/v1/heartbeat",
  commands: "/api/agent/v1/commands",
  openapi: "/api/agent/v1/openapi.json",
  health: "/api/health",
} as const;

const ACK = /^\/api\/agent\/v1\/commands\/([^/]{1,200})\/ack$/;

/**
 * The command id of an ack path, or null when the path is not an ack path. An id that is not
 * valid percent-encoding (`%ZZ`, a cut `%E0%A4%A`) is the client's mistake: VALIDATION (400).
 */
export function ackCommandIdOf(path: string): string | null {
  const m = ACK.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    const shown = m[1].length > 40 ? `${m[1].slice(0, 40)}…` : m[1];
    throw new AppError("VALIDATION", `The command id in the path (${JSON.stringify(shown)}) is not valid percent-encoding`, {
      path: ["malformed percent-encoding (a % must be followed by two hex digits of UTF-8)"],
    });
  }
}
