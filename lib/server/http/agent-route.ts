import "server-only";
// What the agent routes on the console's port share. The agent protocol is served where the HA
// controller runs: a Next route handler reads the request (the body within MAX_BODY_BYTES) and
// hands it to the controller's process (control("agent", …)), which authenticates the token
// against the store and answers exactly as the dedicated agent listener does — one code path,
// so both ports accept and refuse alike.
import { control } from "@/lib/server/control/client";
import { readBodyText } from "./problem";

/** Serves an agent-protocol request of the console's port where the HA controller runs. */
export async function forwardAgentRequest(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname;
  const parts = await control("agent", {
    method: req.method,
    path,
    authorization: req.headers.get("authorization"),
    contentType: req.headers.get("content-type"),
    body: req.method === "GET" || req.method === "HEAD" ? null : await readBodyText(req),
  });
  return new Response(parts.body, { status: parts.status, headers: parts.headers });
}
