import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/auth-forms";
import { Card, CardBody } from "@/components/ui/card";
import { getPrincipal } from "@/lib/server/auth/session";
import { safeNextPath } from "@/lib/safe-next-path";
import { setupNeeded } from "@/lib/server/auth/users";
import { signInAction } from "../actions";

export const metadata = { title: "Sign in · Haven" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await setupNeeded()) redirect("/setup");
  if (await getPrincipal()) redirect("/");
  const sp = await searchParams;
  const next = safeNextPath(sp.next) ?? undefined;
  return (
    <Card>
      <CardBody>
        <h1 className="mb-4 text-[15px] font-semibold text-zinc-900">Sign in</h1>
        <SignInForm action={signInAction} next={next} />
      </CardBody>
    </Card>
  );
}
