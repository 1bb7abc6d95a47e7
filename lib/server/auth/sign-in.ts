import "server-only";
// Signing in and out through better-auth, behind the sign-in rate limits. Called by the
// sign-in/setup/sign-out server actions; the session cookie is set by better-auth's nextCookies.
import { ZSignInInput, ZSetupInput } from "@/lib/schemas/auth";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { getAuth } from "./auth";
import { signInLimits } from "./rate-limit";
import { setupFirstAdmin } from "./users";

/** The client address for rate limiting (first X-Forwarded-For hop, else X-Real-IP, else "local"). */
export function clientKey(h: Headers): string {
  const xff = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return (xff || h.get("x-real-ip")?.trim() || "local").slice(0, 64);
}

/** Signs in with email and password. VALIDATION (fields), UNAUTHORIZED (wrong), UNAVAILABLE with retry time (rate limit). */
export async function signInWithPassword(input: unknown, headers: Headers): Promise<{ email: string }> {
  const parsed = ZSignInInput.safeParse(input);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Check the highlighted fields");
  const { email, password } = parsed.data;
  const limits = signInLimits();
  const client = clientKey(headers);
  if (!limits.email.take(`e:${email}`) || !limits.client.take(`c:${client}`)) {
    const wait = Math.max(limits.email.retryAfterS(`e:${email}`), limits.client.retryAfterS(`c:${client}`));
    throw new AppError("UNAVAILABLE", `Too many sign-in attempts. Try again in ${wait} s.`);
  }
  try {
    await getAuth().api.signInEmail({ body: { email, password, rememberMe: false }, headers });
  } catch {
    // One answer for an unknown email and a wrong password (no account enumeration).
    throw new AppError("UNAUTHORIZED", "Wrong email or password");
  }
  limits.email.reset(`e:${email}`);
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
