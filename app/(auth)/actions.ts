"use server";
// Sign-in, first-run setup and sign-out. Public (the only actions that need no session).
import { redirect } from "next/navigation";
import type { ActionResult } from "@/lib/schemas/action-result";
import { formInput } from "@/lib/server/inventory/action";
import { toAppError } from "@/lib/server/inventory/common";
import { completeSetup, signInWithPassword, signOutSession, startSsoSignIn } from "@/lib/server/auth/sign-in";
import { currentRequestHeaders } from "@/lib/server/auth/session";
import { safeNextPath } from "@/lib/safe-next-path";

type Prev = ActionResult<unknown> | null;
type Input = FormData | Record<string, unknown>;

/** Only a path of this console (lib/safe-next-path.ts), never the auth pages themselves. */
function landing(raw: Record<string, unknown>): string {
  const to = safeNextPath(raw.next);
  return to && !/^\/(sign-in|setup)(?:[/?#]|$)/.test(to) ? to : "/";
}

export async function signInAction(_prev: Prev, input: Input): Promise<ActionResult<null>> {
  const raw = formInput(input);
  try {
    await signInWithPassword(raw, await currentRequestHeaders());
  } catch (e) {
    const err = toAppError(e);
    if (err.code === "INTERNAL") console.error("sign-in failed", e);
    return { ok: false, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}), formError: err.message };
  }
  redirect(landing(raw));
}

export async function setupAction(_prev: Prev, input: Input): Promise<ActionResult<null>> {
  const raw = formInput(input);
  try {
    await completeSetup(raw, await currentRequestHeaders());
  } catch (e) {
    const err = toAppError(e);
    if (err.code === "INTERNAL") console.error("setup failed", e);
    return { ok: false, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}), formError: err.message };
  }
  redirect("/");
}

/** Single sign-on: off to the identity provider (it comes back to /sso/callback/oidc). */
export async function ssoSignInAction(input: FormData): Promise<void> {
  const raw = formInput(input);
  let url: string;
  try {
    url = await startSsoSignIn(landing(raw), await currentRequestHeaders());
  } catch (e) {
    const err = toAppError(e);
    console.error("sso sign-in failed to start", e);
    redirect(`/sso/refused?error=sso_unavailable&error_description=${encodeURIComponent(err.message)}`);
  }
  redirect(url);
}

export async function signOutAction(): Promise<void> {
  await signOutSession(await currentRequestHeaders());
  redirect("/sign-in");
}
