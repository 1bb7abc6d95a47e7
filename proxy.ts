// Runs before every page and API route:
//  - a path that is not valid percent-encoding (`/api/agent/v1/commands/%ZZ/ack`) is a 400
//    problem+json here (Next would fail later, decoding it, with a 500);
//  - a server action (a POST to a page: `Next-Action` fetches and no-JS form posts) from another
//    origin is a 403, and one whose body is over the limit (or of undeclared length) a 413
//    (411), before Next reads it; the host is the Host header, or X-Forwarded-Host only from a
//    trusted proxy (lib/forwarded.ts);
//  - pages get a fresh CSP nonce (Next puts it on its scripts) and the CSP header;
//  - a page request without a session cookie goes to /sign-in at once (the console layout and
//    every action/service check the session for real; this is only the cheap early answer);
//  - the console's JSON API (/api/v1) needs a session cookie or a bearer token: without either,
//    401 problem+json here; the routes check the session and role for real;
//  - the agent API (/api/agent, bearer agent tokens) and /api/health pass through untouched.
import { NextResponse, type NextRequest } from "next/server";
import { originMatches } from "@/lib/forwarded";
import { safeNextPath } from "@/lib/safe-next-path";
import { hasSessionCookie, isPublicPath, pageCsp, SERVER_ACTION_BODY_LIMIT_BYTES } from "@/lib/security-headers";

const PROBLEMS = "https://haven.invalid/problems/";

function problem(status: number, slug: string, title: string, detail: string, headers: Record<string, string> = {}): NextResponse {
  return new NextResponse(JSON.stringify({ type: PROBLEMS + slug, title, status, detail }), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}

/** The first reason a page POST (a server action) must not reach Next, as a problem answer. */
function refuseServerAction(request: NextRequest): NextResponse | null {
  const o = originMatches(request.headers, new URL(request.url).host);
  if (!o.ok) {
    return problem(403, "forbidden", "Cross-origin server action refused", `A server action must come from this console's own pages (${o.host ?? "unknown host"}), not from ${JSON.stringify(o.origin).slice(0, 120)}`);
  }
  const declared = request.headers.get("content-length");
  if (declared === null || !/^\d+$/.test(declared.trim())) {
    return problem(411, "length-required", "Length required", "A server action must declare its body's length (Content-Length)");
  }
  if (Number(declared) > SERVER_ACTION_BODY_LIMIT_BYTES) {
    return problem(413, "payload-too-large", "Request body too large", `The body is ${declared} bytes; a server action accepts at most ${SERVER_ACTION_BODY_LIMIT_BYTES} (${SERVER_ACTION_BODY_LIMIT_BYTES / 1024} KB)`);
  }
  return null;
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  try {
    decodeURIComponent(pathname);
  } catch {
    return problem(400, "malformed-path", "Malformed path", `The path is not valid percent-encoding (a % must be followed by two hex digits of UTF-8): ${pathname.slice(0, 200)}`);
  }

  if (pathname.startsWith("/api/")) {
    if (!isPublicPath(pathname) && !hasSessionCookie(request.headers.get("cookie")) && !request.headers.get("authorization")) {
      return problem(401, "unauthorized", "Authentication required", "Sign in first (session cookie) or send a bearer token", { "www-authenticate": 'Bearer realm="haven"' });
    }
    return NextResponse.next();
  }

  if (request.method === "POST") {
    const refused = refuseServerAction(request);
    if (refused) return refused;
  }

  if (!isPublicPath(pathname) && !hasSessionCookie(request.headers.get("cookie")) && request.method === "GET") {
    const to = new URL("/sign-in", request.url);
    const next = safeNextPath(pathname + search);
    if (pathname !== "/" && next) to.searchParams.set("next", next);
    return NextResponse.redirect(to);
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = pageCsp(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon.ico|icon.svg).*)",
    },
  ],
};
