import "server-only";
// Signing in and out through better-auth, behind progressive delays per account+client and per
// client (lib/server/auth/throttle.ts, kept in the store). Called by the sign-in/setup/sign-out
// server actions; the session cookie is set by better-auth's nextCookies.
import { ZSignInInput, ZSetupInput } from "@/lib/schemas/auth";
import { clientAddress } from "@/lib/forwarded";
import { getDb, type Db } from "@/lib/server/db";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { getAuth } from "./auth";
import { attemptSucceeded, beginSignInAttempt } from "./throttle";
import { setupFirstAdmin } from "./users";
import { ssoConfig, SSO_REFUSED_PATH } from "./sso";

export interface SignInOpts {
  db?: Db;
  now?: Date;
  /** The client address (default: from the request's sanitised headers, lib/forwarded.ts). */
  client?: string;
}

/** Signs in with email and password. VALIDATION (fields), UNAUTHORIZED (wrong), UNAVAILABLE with the wait (delayed). */
export async function signInWithPassword(input: unknown, headers: Headers, opts: SignInOpts = {}): Promise<{ email: string }> {
  const parsed = ZSignInInput.safeParse(input);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Check the highlighted fields");
  const { email, password } = parsed.data;
  const db = opts.db ?? getDb();
  const client = opts.client ?? clientAddress(headers);
  const attempt = await beginSignInAttempt(db, email, client, opts.now);
  if (!attempt.ok) throw new AppError("UNAVAILABLE", `Too many failed sign-ins. Try again in ${attempt.retryAfterS} s.`);
  try {
    await getAuth(db).api.signInEmail({ body: { email, password, rememberMe: false }, headers });
  } catch {
    // One answer for an unknown email and a wrong password (no account enumeration).
    throw new AppError("UNAUTHORIZED", "Wrong email or password");
  }
  await attemptSucceeded(db, email, client);
  return { email };
}

export async function signOutSession(headers: Headers): Promise<void> {
  try {
    await getAuth().api.signOut({ headers });
  } catch {
    // no session: nothing to end
  }
}

/** The setup page: creates the first admin (only while no user exists) and signs them in. */
export async function completeSetup(input: unknown, headers: Headers): Promise<{ email: string }> {
  const parsed = ZSetupInput.safeParse(input);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Check the highlighted fields");
  const u = await setupFirstAdmin(parsed.data);
  await getAuth().api.signInEmail({ body: { email: u.email, password: parsed.data.password, rememberMe: false }, headers });
  return { email: u.email };
}

/**
 * Starts an OpenID Connect sign-in (single sign-on, ./sso.ts): the library keeps the state (and
 * PKCE verifier) in the store and a signed cookie; answers the IdP's authorization URL. NOT_FOUND
 * when single sign-on is not configured.
 */
export async function startSsoSignIn(next: string, headers: Headers): Promise<string> {
  const cfg = ssoConfig();
  if (!cfg) throw new AppError("NOT_FOUND", "Single sign-on is not configured on this console");
  const r = await getAuth().api.signInSocial({
    body: { provider: cfg.providerId, callbackURL: next, errorCallbackURL: SSO_REFUSED_PATH, newUserCallbackURL: next, disableRedirect: true },
    headers,
  });
  if (!r?.url) throw new AppError("UNAVAILABLE", "The identity provider could not be reached; try again, or sign in with a password");
  return r.url;
}

/**
 * The IdP's redirect back (/sso/callback/<provider>): handed to the library's OAuth callback,
 * which checks the state, exchanges the code, verifies the ID token, applies the group → role
 * mapping (`validateUserInfo` in ./auth.ts) and sets the session cookie. Its answer is a redirect:
 * to the console, or to /sso/refused?error=… (no role, or any other failure).
 */
export async function forwardSsoCallback(req: Request, providerId: string): Promise<Response> {
  const cfg = ssoConfig();
  if (!cfg || providerId !== cfg.providerId) return new Response("Not found", { status: 404 });
  const incoming = new URL(req.url);
  const target = new URL(`/api/auth/callback/${encodeURIComponent(providerId)}${incoming.search}`, new URL(cfg.redirectURI).origin);
  const res = await getAuth().handler(new Request(target, { method: "GET", headers: req.headers }));
  if (res.status >= 300 && res.status < 400) return res;
  // Not a redirect: an error the library answered as JSON; show it on the refusal page.
  let code = "sso_failed";
  let description = `The sign-in could not be completed (HTTP ${res.status})`;
  try {
    const b = (await res.clone().json()) as { code?: string; message?: string };
    if (b.code) code = b.code;
    if (b.message) description = b.message;
  } catch {
    /* not JSON */
  }
  const to = new URL(SSO_REFUSED_PATH, new URL(cfg.redirectURI).origin);
  to.searchParams.set("error", code);
  to.searchParams.set("error_description", description);
  return new Response(null, { status: 303, headers: { location: to.pathname + to.search } });
}
