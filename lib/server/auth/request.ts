import "server-only";
// Who sends an API request: a personal API token's user (`Authorization: Bearer haven_…`,
// ./api-tokens.ts), else the session cookie's user (tests: `runAs`). For a state-changing
// request that carries a cookie, the Origin (when the browser sends one) must be this site's
// own, so another site cannot ride a signed-in browser. The site's host is the Host header, or
// X-Forwarded-Host only from a trusted proxy (lib/forwarded.ts, HAVEN_TRUSTED_PROXIES).
import { roleAtLeast, type Role } from "@/lib/schemas/auth";
import { originMatches } from "@/lib/forwarded";
import { AppError } from "@/lib/server/errors";
import { bearerToken } from "@/lib/server/http/problem";
import { looksLikeApiToken, principalFromApiToken } from "./api-tokens";
import { principalFromHeaders } from "./session";
import { principalOverride, type Principal } from "./principal";

function sameOrigin(req: Request): boolean {
  return originMatches(req.headers, new URL(req.url).host).ok;
}

export async function principalFromRequest(req: Request): Promise<Principal | null> {
  const o = principalOverride();
  if (o) return o.principal;
  const bearer = bearerToken(req);
  if (bearer !== null) {
    // A bearer request carries no ambient credential, so no same-origin check applies.
    if (!looksLikeApiToken(bearer)) throw new AppError("UNAUTHORIZED", "Unknown bearer token: send a personal API token (haven_…) from Settings → API tokens");
    const t = await principalFromApiToken(bearer);
    if (!t) throw new AppError("UNAUTHORIZED", "This API token is unknown, expired or revoked");
    return t;
  }
  const p = await principalFromHeaders(req.headers);
  if (p && !["GET", "HEAD", "OPTIONS"].includes(req.method) && !sameOrigin(req)) {
    throw new AppError("FORBIDDEN", "Cross-site request refused");
  }
  return p;
}

/** The request's user with at least `need`; problem 401 (nobody) or 403 (role too low). */
export async function requireRequestRole(req: Request, need: Role): Promise<Principal> {
  const p = await principalFromRequest(req);
  if (!p) throw new AppError("UNAUTHORIZED", "Sign in first (session cookie) or send a personal API token as `Authorization: Bearer haven_…`");
  if (!roleAtLeast(p.role, need)) throw new AppError("FORBIDDEN", `Your role (${p.role}) may not do this`);
  return p;
}
