import "server-only";
// better-auth over the Prisma store: email + password (scrypt hashes, the library's default),
// sessions stored in the Session table, cookies set from server actions by `nextCookies()`.
// Sign-up through the library is off: users come from the setup page, HAVEN_ADMIN_EMAIL /
// HAVEN_ADMIN_PASSWORD, or an admin on /users (lib/server/auth/users.ts).
// No /api/auth route is mounted: the console signs in and out with its own server actions
// (rate-limited, lib/server/auth/sign-in.ts), so the library's HTTP surface is not exposed.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { databaseFile, databaseUrl } from "@/lib/db-url";
import { getDb, type Db } from "@/lib/server/db";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/schemas/auth";

/** Session lifetime: 12 hours, refreshed when used after an hour. */
export const SESSION_TTL_S = 12 * 60 * 60;

/** Secure cookies unless HAVEN_INSECURE_COOKIES=1 (plain-http deployments other than localhost). */
export function secureCookies(): boolean {
  return process.env.HAVEN_INSECURE_COOKIES !== "1" && process.env.NODE_ENV === "production";
}

/**
 * The secret that signs session cookies: HAVEN_AUTH_SECRET / BETTER_AUTH_SECRET (32+ chars), else a
 * random one kept next to the store (`<db>.auth-secret`, mode 0600) so restarts keep sessions.
 */
export function authSecret(url = databaseUrl()): string {
  const env = process.env.HAVEN_AUTH_SECRET || process.env.BETTER_AUTH_SECRET;
  if (env && env.length >= 32) return env;
  const file = `${path.resolve(databaseFile(url))}.auth-secret`;
  try {
    const s = fs.readFileSync(file, "utf8").trim();
    if (s.length >= 32) return s;
  } catch {
    // first start
  }
  const s = crypto.randomBytes(32).toString("base64url");
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, s + "\n", { mode: 0o600, flag: "wx" });
    return s;
  } catch {
    // Another process wrote it first (or the directory is read-only): use theirs if present.
    try {
      const other = fs.readFileSync(file, "utf8").trim();
      if (other.length >= 32) return other;
    } catch {
      /* fall through */
    }
    return s;
  }
}

function buildAuth(db: Db) {
  return betterAuth({
    appName: "Haven",
    secret: authSecret(),
    baseURL: process.env.HAVEN_BASE_URL || process.env.BETTER_AUTH_URL || undefined,
    database: prismaAdapter(db, { provider: "sqlite" }),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
    },
    user: {
      additionalFields: { role: { type: "string", required: false, defaultValue: "viewer", input: false } },
    },
    session: { expiresIn: SESSION_TTL_S, updateAge: 60 * 60 },
    // The console's own sign-in action rate-limits (per email and per client address).
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    advanced: {
      cookiePrefix: "haven",
      useSecureCookies: secureCookies(),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure: secureCookies(), path: "/" },
    },
    // Errors only: the "Base URL is not set" warning does not apply (no callbacks, no redirects:
    // the console's own actions call the API with the request's headers).
    logger: { disabled: process.env.NODE_ENV === "test", level: "error" },
    plugins: [nextCookies()],
  });
}

export type HavenAuth = ReturnType<typeof buildAuth>;

const cache = new WeakMap<Db, HavenAuth>();

/** The better-auth instance over the current store (tests point the store elsewhere). */
export function getAuth(db: Db = getDb()): HavenAuth {
  let a = cache.get(db);
  if (!a) {
    a = buildAuth(db);
    cache.set(db, a);
  }
  return a;
}
