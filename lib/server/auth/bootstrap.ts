import "server-only";
// At server start: create the env admin on an empty store (HAVEN_ADMIN_EMAIL/HAVEN_ADMIN_PASSWORD)
// and tell the operator on stderr how to sign in. The password is never printed.
import { getDb } from "@/lib/server/db";
import { bootstrapAdminFromEnv } from "./users";

export async function announceSignIn(env: Record<string, string | undefined> = process.env, out: (line: string) => void = (l) => process.stderr.write(l + "\n")): Promise<string> {
  const base = env.HAVEN_BASE_URL || `http://localhost:${env.PORT || 3000}`;
  let r: Awaited<ReturnType<typeof bootstrapAdminFromEnv>>;
  try {
    r = await bootstrapAdminFromEnv(getDb(), env);
  } catch (e) {
    out(`haven: could not check the user table (${e instanceof Error ? e.message : String(e)}); is the store migrated?`);
    return "error";
  }
  if (r === "created") out(`haven: created admin ${env.HAVEN_ADMIN_EMAIL} from HAVEN_ADMIN_EMAIL/HAVEN_ADMIN_PASSWORD — sign in at ${base}/sign-in`);
  else if (r === "setup-needed") out(`haven: no users yet — open ${base}/setup once to create the first admin (or set HAVEN_ADMIN_EMAIL and HAVEN_ADMIN_PASSWORD and restart)`);
  else if (r === "invalid") out(`haven: HAVEN_ADMIN_EMAIL/HAVEN_ADMIN_PASSWORD were not used (a valid email and a 12+ character password are needed) — open ${base}/setup instead`);
  return r;
}
