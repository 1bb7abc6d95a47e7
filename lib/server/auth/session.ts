import "server-only";
// The signed-in user of the current request. Pages use `requirePageRole` (redirects), actions
// and routes `getPrincipal()` and pass it to the services, which check the role.
import { createHmac, timingSafeEqual } from "node:crypto";
import { cache } from "react";
import { redirect } from "next/navigation";
import { roleAtLeast, ROLES, type Role } from "@/lib/schemas/auth";
import { AppError } from "@/lib/server/errors";
import { getDb, readStatement } from "@/lib/server/db";
import { authSecret, getAuth, SESSION_TTL_S } from "./auth";
import { principalOverride, type Principal } from "./principal";

export type { Principal } from "./principal";

/** The current request's headers; empty outside a request (scripts, tests). */
export async function currentRequestHeaders(): Promise<Headers> {
  return (await requestHeaders()) ?? new Headers();
}

async function requestHeaders(): Promise<Headers | null> {
  try {
    const { headers } = await import("next/headers");
    return new Headers(await headers());
  } catch {
    return null; // outside a request (scripts, tests without runAs)
  }
}

/** Sessions are refreshed (expiry pushed out) when used this long after being set: better-auth's updateAge. */
const SESSION_UPDATE_AGE_S = 60 * 60;
const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?haven\.session_token=([^;]*)/;

/**
 * The session cookie checked as better-auth signs it (`<token>.<HMAC-SHA256 base64>`), then the
 * session and its user read from the store in one query: the store decides on every request (a
 * deleted or expired session is refused at once). Undefined when better-auth must decide (a
 * session due for its sliding refresh, or a cookie of another shape).
 */
async function principalFromSessionCookie(cookieHeader: string): Promise<Principal | null | undefined> {
  const m = SESSION_COOKIE.exec(cookieHeader);
  if (!m) return null;
  let value: string;
  try {
    value = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  const dot = value.lastIndexOf(".");
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const sig = Buffer.from(value.slice(dot + 1), "base64");
  const want = createHmac("sha256", authSecret()).update(token).digest();
  if (sig.length !== want.length || !timingSafeEqual(sig, want)) return null;
  const row = await sessionRow(token);
  const now = Date.now();
  if (!row || row.expiresAt <= now) return null;
  if (row.expiresAt - SESSION_TTL_S * 1000 + SESSION_UPDATE_AGE_S * 1000 <= now) return undefined;
  const role = (ROLES as readonly string[]).includes(row.role ?? "") ? (row.role as Role) : "viewer";
  return { id: row.id, email: row.email, name: row.name, role };
}

type SessionRow = { expiresAt: number; id: string; email: string; name: string; role: string | null };
/** The session of a token with its user, read from the store on every request (a prepared statement on SQLite). */
async function sessionRow(token: string): Promise<SessionRow | null> {
  const db = getDb();
  const stmt = readStatement<[string], { expiresAt: number | string; id: string; email: string; name: string; role: string | null }>(
    db,
    'SELECT s."expiresAt" AS "expiresAt", u."id" AS "id", u."email" AS "email", u."name" AS "name", u."role" AS "role" FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."token" = ?',
  );
  if (stmt) {
    const r = stmt.get(token);
    // Prisma keeps SQLite DateTime as epoch milliseconds (or, in older rows, ISO text).
    return r ? { ...r, expiresAt: typeof r.expiresAt === "number" ? r.expiresAt : Date.parse(r.expiresAt) } : null;
  }
  const row = await db.session.findUnique({ where: { token }, select: { expiresAt: true, user: { select: { id: true, email: true, name: true, role: true } } } });
  return row ? { expiresAt: row.expiresAt.getTime(), ...row.user } : null;
}

/** The user a request's cookie names (null when anonymous, expired or unknown). */
export async function principalFromHeaders(h: Headers): Promise<Principal | null> {
  const cookie = h.get("cookie") ?? "";
  if (!/haven[.-]session_token/.test(cookie)) return null;
  try {
    const fast = await principalFromSessionCookie(cookie);
    if (fast !== undefined) return fast;
  } catch {
    return null;
  }
  let s;
  try {
    s = await getAuth().api.getSession({ headers: h });
  } catch {
    return null;
  }
  if (!s?.user) return null;
  const u = s.user as { id: string; email: string; name: string; role?: string | null };
  const role = (ROLES as readonly string[]).includes(u.role ?? "") ? (u.role as Role) : "viewer";
  return { id: u.id, email: u.email, name: u.name, role };
}

const cachedPrincipal = cache(async (): Promise<Principal | null> => {
  const h = await requestHeaders();
  return h ? principalFromHeaders(h) : null;
});

/** The signed-in user, or null. Tests and scripts set it with `runAs`. */
export async function getPrincipal(): Promise<Principal | null> {
  const o = principalOverride();
  if (o) return o.principal;
  return cachedPrincipal();
}

/** For routes and actions: the user, or an UNAUTHORIZED / FORBIDDEN AppError. */
export async function requireRole(need: Role): Promise<Principal> {
  const p = await getPrincipal();
  if (!p) throw new AppError("UNAUTHORIZED", "Sign in first");
  if (!roleAtLeast(p.role, need)) throw new AppError("FORBIDDEN", `Your role (${p.role}) may not do this`);
  return p;
}

/** For pages: the user, else a redirect to /sign-in (anonymous) or /forbidden (role too low). */
export async function requirePageRole(need: Role = "viewer"): Promise<Principal> {
  const p = await getPrincipal();
  if (!p) redirect("/sign-in");
  if (!roleAtLeast(p.role, need)) redirect("/forbidden");
  return p;
}
