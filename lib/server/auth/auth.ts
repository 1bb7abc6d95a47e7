import "server-only";
// better-auth over the Prisma store: email + password (scrypt hashes, the library's default),
// sessions stored in the Session table, cookies set from server actions by `nextCookies()`.
// Sign-up through the library is off: users come from the setup page, HAVEN_ADMIN_EMAIL /
// HAVEN_ADMIN_PASSWORD, or an admin on /users (lib/server/auth/users.ts).
// No /api/auth route is mounted: the console signs in and out with its own server actions
// (rate-limited, lib/server/auth/sign-in.ts), so the library's HTTP surface is not exposed. The
// one exception is the OpenID Connect callback (/sso/callback/oidc, app/(auth)/sso), forwarded
// to the library's callback endpoint only when single sign-on is configured (./sso.ts).
// Personal API tokens are the library's API key plugin (./api-tokens.ts).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { apiKey } from "@better-auth/api-key";
import { betterAuth } from "better-auth";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { databaseFile, databaseUrl } from "@/lib/db-url";
import { getDb, type Db } from "@/lib/server/db";
import { PASSWORD_MAX, PASSWORD_MIN, type Role } from "@/lib/schemas/auth";
import { writeAuditRow } from "@/lib/server/audit";
import { API_TOKEN_MAX_DAYS, API_TOKEN_NAME_MAX, API_TOKEN_PREFIX } from "@/lib/schemas/api-tokens";
import { groupsOf, NO_ROLE_ERROR, SSO_REFUSED_PATH, noRoleMessage, roleForGroups, ssoConfig, type SsoConfig } from "./sso";

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

/** The API key plugin as Haven uses it: prefixed, hashed (SHA-256), named, expiring, role in metadata. */
function apiKeyPlugin() {
  return apiKey({
    schema: { apikey: { modelName: "apiKey" } },
    defaultPrefix: API_TOKEN_PREFIX,
    defaultKeyLength: 48,
    requireName: true,
    maximumNameLength: API_TOKEN_NAME_MAX,
    enableMetadata: true,
    // Recognisable in lists: the prefix and the first 6 random characters.
    startingCharactersConfig: { shouldStore: true, charactersLength: API_TOKEN_PREFIX.length + 6 },
    keyExpiration: { defaultExpiresIn: 90 * 24 * 60 * 60, minExpiresIn: 1, maxExpiresIn: API_TOKEN_MAX_DAYS },
    // Scripts poll: no per-key request quota (the token is 48 random letters, not guessable).
    rateLimit: { enabled: false },
  });
}

/** Generic OAuth for the one OIDC provider; the role check is `validateUserInfo` below. */
function ssoPlugin(cfg: SsoConfig) {
  return genericOAuth({
    config: [
      {
        providerId: cfg.providerId,
        name: cfg.name,
        discoveryUrl: cfg.discoveryUrl,
        clientId: cfg.clientId,
        clientSecret: cfg.clientSecret,
        authentication: cfg.tokenAuth,
        redirectURI: cfg.redirectURI,
        scopes: cfg.scopes,
        pkce: true,
        requireIdTokenVerification: true,
        overrideUserInfo: true,
      },
    ],
  });
}

/**
 * better-auth's gate for every identity an OAuth provider brings (create-user, link-account,
 * sign-in), with the IdP's raw claims: the group claim must give a role, else the sign-in is
 * refused (403 `no_haven_role`, redirected to /sso/refused). A new user is created with that
 * role; an existing one gets it (audited when it changes) before the session is made.
 */
function ssoValidator(db: Db, cfg: SsoConfig) {
  return async (data: { user: Record<string, unknown> & { id?: unknown; email?: unknown }; source: { method: string; action: string; oauth?: { providerId: string; profile?: Record<string, unknown> } } }) => {
    if (data.source.method !== "oauth" || data.source.oauth?.providerId !== cfg.providerId) return;
    const groups = groupsOf(data.source.oauth.profile, cfg.groupsClaim);
    const role: Role | null = roleForGroups(groups, cfg.groups);
    if (!role) return { error: NO_ROLE_ERROR, errorDescription: noRoleMessage(cfg, groups) };
    if (data.source.action === "create-user") {
      // `data.user` is the row about to be inserted (the library passes it by reference).
      data.user.role = role;
      return;
    }
    if (typeof data.user.id === "string") {
      const before = await db.user.findUnique({ where: { id: data.user.id }, select: { role: true, email: true } });
      if (before && before.role !== role) {
        await db.user.update({ where: { id: data.user.id }, data: { role } });
        await writeAuditRow(db, { actor: `sso:${cfg.providerId}` }, "sso-set-role", `user:${data.user.id}`, { role: before.role }, { role, groups });
      }
    }
  };
}

function buildAuth(db: Db) {
  const sso = ssoConfig();
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
      ...(sso ? { validateUserInfo: ssoValidator(db, sso) } : {}),
    },
    // An SSO identity whose verified email is a local user's joins that user (the IdP is trusted).
    account: { accountLinking: { enabled: true, trustedProviders: sso ? [sso.providerId] : [] } },
    session: { expiresIn: SESSION_TTL_S, updateAge: 60 * 60 },
    // The console's own sign-in action rate-limits (per email and per client address).
    rateLimit: { enabled: false },
    // A failed OAuth callback lands on the refusal page, which explains the error code.
    onAPIError: { errorURL: SSO_REFUSED_PATH },
    telemetry: { enabled: false },
    advanced: {
      cookiePrefix: "haven",
      useSecureCookies: secureCookies(),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure: secureCookies(), path: "/" },
    },
    // Errors only: the "Base URL is not set" warning does not apply (no callbacks, no redirects:
    // the console's own actions call the API with the request's headers).
    logger: { disabled: process.env.NODE_ENV === "test", level: "error" },
    plugins: [apiKeyPlugin(), ...(sso ? [ssoPlugin(sso)] : []), nextCookies()],
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
