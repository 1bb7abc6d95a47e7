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
