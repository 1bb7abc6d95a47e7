import { redirect } from "next/navigation";
import { SetupForm } from "@/components/auth/auth-forms";
import { Card, CardBody } from "@/components/ui/card";
import { setupNeeded } from "@/lib/server/auth/users";
import { setupAction } from "../actions";

export const metadata = { title: "Set up · Haven" };

/** One time only: while no user exists. Afterwards it sends people to sign in. */
export default async function SetupPage() {
  if (!(await setupNeeded())) redirect("/sign-in");
  return (
    <Card>
      <CardBody>
        <h1 className="text-[15px] font-semibold text-zinc-900">Welcome to Haven</h1>
        <p className="mb-4 mt-1 text-[13px] text-zinc-600">No user exists yet. Create the first admin; this page closes once you have.</p>
        <SetupForm action={setupAction} />
      </CardBody>
    </Card>
  );
}
