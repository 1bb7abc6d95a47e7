// Runs before every page and API route:
//  - pages get a fresh CSP nonce (Next puts it on its scripts) and the CSP header;
//  - a page request without a session cookie goes to /sign-in at once (the console layout and
//    every action/service check the session for real; this is only the cheap early answer);
//  - the console's JSON API (/api/v1) needs a session cookie or a bearer token: without either,
//    401 problem+json here; the routes check the session and role for real;
//  - the agent API (/api/agent, bearer agent tokens) and /api/health pass through untouched.
import { NextResponse, type NextRequest } from "next/server";
import { hasSessionCookie, isPublicPath, pageCsp } from "@/lib/security-headers";

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/")) {
    if (!isPublicPath(pathname) && !hasSessionCookie(request.headers.get("cookie")) && !request.headers.get("authorization")) {
      return new NextResponse(
        JSON.stringify({ type: "https://haven.invalid/problems/unauthorized", title: "Authentication required", status: 401, detail: "Sign in first (session cookie) or send a bearer token" }),
        { status: 401, headers: { "content-type": "application/problem+json", "cache-control": "no-store", "www-authenticate": 'Bearer realm="haven"' } },
      );
    }
    return NextResponse.next();
  }

  if (!isPublicPath(pathname) && !hasSessionCookie(request.headers.get("cookie")) && request.method === "GET") {
    const to = new URL("/sign-in", request.url);
    if (pathname !== "/") to.searchParams.set("next", pathname + search);
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
