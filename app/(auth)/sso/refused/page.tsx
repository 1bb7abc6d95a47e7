import Link from "next/link";
import { Card, CardBody } from "@/components/ui/card";
import { NO_ROLE_ERROR } from "@/lib/server/auth/sso";

export const metadata = { title: "Sign-in refused · Haven" };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.slice(0, 500);

/** Where a refused or failed single sign-on lands: says why, in words. */
export default async function SsoRefusedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const error = first(sp.error) ?? "sso_failed";
  const description = first(sp.error_description);
  const noRole = error === NO_ROLE_ERROR;
  return (
    <Card>
      <CardBody>
        <h1 className="text-[15px] font-semibold text-zinc-900">{noRole ? "No Haven role for your account" : "Single sign-on failed"}</h1>
        {noRole ? (
          <>
            <p className="mt-1 text-[13px] text-zinc-600">
              You signed in at your identity provider, but none of your groups gives a role in Haven (viewer, operator or admin), so Haven did not sign you in and keeps no
              account for you.
            </p>
            {description && <p className="mt-2 rounded-md bg-zinc-100 px-2 py-1.5 text-[12.5px] text-zinc-700">{description}</p>}
            <p className="mt-2 text-[13px] text-zinc-600">Ask your identity provider&apos;s administrator to add you to one of those groups, then sign in again.</p>
          </>
        ) : (
          <>
            <p className="mt-1 text-[13px] text-zinc-600">The identity provider&apos;s answer could not be used to sign you in.</p>
            <p className="mt-2 rounded-md bg-zinc-100 px-2 py-1.5 font-mono text-[12px] text-zinc-700">
              {error}
              {description ? `: ${description}` : ""}
            </p>
          </>
        )}
        <Link href="/sign-in" className="mt-3 inline-block text-[13px] text-blue-700 hover:underline">
          Back to sign-in
        </Link>
      </CardBody>
    </Card>
  );
}
