import "server-only";
// What the agent routes on the console's port share. The agent protocol is served where the HA
// controller runs: a Next route handler reads the request (the body within MAX_BODY_BYTES) and
// hands it to the controller's process (control("agent", …)), which authenticates the token
// against the store and answers exactly as the dedicated agent listener does — one code path,
// so both ports accept and refuse alike.
import { control } from "@/lib/server/control/client";
import { HttpError, MAX_BODY_BYTES } from "./problem";

async function bodyText(req: Request): Promise<string | null> {
  if (req.method === "GET" || req.method === "HEAD" || !req.body) return null;
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) throw new HttpError(413, `The body is ${declared} bytes; at most ${MAX_BODY_BYTES} are accepted`);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, `The body is larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Serves an agent-protocol request of the console's port where the HA controller runs. */
export async function forwardAgentRequest(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname;
  const parts = await control("agent", {
    method: req.method,
    path,
    authorization: req.headers.get("authorization"),
    contentType: req.headers.get("content-type"),
    body: await bodyText(req),
  });
  return new Response(parts.body, { status: parts.status, headers: parts.headers });
}
