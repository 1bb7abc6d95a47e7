// GET /api-docs/scalar.js — the standalone browser build of @scalar/api-reference (a dependency
// in package.json), served from node_modules by this console: the API reference page loads
// nothing from a CDN. Signed-in users only, like every console page.
import fs from "node:fs/promises";
import path from "node:path";
import { getPrincipal } from "@/lib/server/auth/session";

export const dynamic = "force-dynamic";

const FILE = path.join(process.cwd(), "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");

export async function GET() {
  if (!(await getPrincipal())) return new Response("Sign in first", { status: 401, headers: { "content-type": "text/plain" } });
  let body: Buffer;
  try {
    body = await fs.readFile(FILE);
  } catch {
    return new Response(`console.error("Haven: ${FILE.replace(/\\/g, "/")} is missing: run npm ci");`, { status: 500, headers: { "content-type": "text/javascript" } });
  }
  return new Response(new Uint8Array(body), { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "private, max-age=3600" } });
}
