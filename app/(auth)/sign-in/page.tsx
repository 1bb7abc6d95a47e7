import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/auth-forms";
import { Card, CardBody } from "@/components/ui/card";
import { getPrincipal } from "@/lib/server/auth/session";
import { safeNextPath } from "@/lib/safe-next-path";
import { setupNeeded } from "@/lib/server/auth/users";
import { ssoConfig } from "@/lib/server/auth/sso";
import { signInAction, ssoSignInAction } from "../actions";

export const metadata = { title: "Sign in · Haven" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await setupNeeded()) redirect("/setup");
  if (await getPrincipal()) redirect("/");
  const sp = await searchParams;
  const next = safeNextPath(sp.next) ?? undefined;
  let sso: string | null = null;
  try {
    sso = ssoConfig()?.name ?? null;
  } catch (e) {
    console.error("single sign-on is misconfigured", e);
  }
  return (
    <Card>
      <CardBody>
        <h1 className="mb-4 text-[15px] font-semibold text-zinc-900">Sign in</h1>
        <SignInForm action={signInAction} next={next} />
        {sso && (
          <form action={ssoSignInAction} className="mt-4 border-t border-zinc-200 pt-4">
            {next && <input type="hidden" name="next" value={next} />}
            <button type="submit" className="h-9 w-full rounded-md border border-zinc-300 bg-white text-[13px] font-medium text-zinc-900 hover:bg-zinc-50">
              Sign in with {sso}
            </button>
          </form>
        )}
      </CardBody>
    </Card>
  );
}
