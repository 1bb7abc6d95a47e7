// The agent protocol's paths (one place for the routes' documentation and the agent listener).
export const AGENT_PATHS = {
  register: "/api/agent/v1/register",
  heartbeat: "/api/agent/v1/heartbeat",
  commands: "/api/agent/v1/commands",
  openapi: "/api/agent/v1/openapi.json",
  health: "/api/health",
} as const;

const ACK = /^\/api\/agent\/v1\/commands\/([^/]{1,200})\/ack$/;

/** The command id of an ack path, or null. */
export function ackCommandIdOf(path: string): string | null {
  const m = ACK.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}
