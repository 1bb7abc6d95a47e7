import Link from "next/link";
import { Card, CardBody } from "@/components/ui/card";

export const metadata = { title: "Not allowed · Haven" };

export default function ForbiddenPage() {
  return (
    <Card>
      <CardBody>
        <h1 className="text-[15px] font-semibold text-zinc-900">Not allowed</h1>
        <p className="mt-1 text-[13px] text-zinc-600">Your role may not open this page. Ask an admin if you need it.</p>
        <Link href="/" className="mt-3 inline-block text-[13px] text-blue-700 hover:underline">
          Back to the overview
        </Link>
      </CardBody>
    </Card>
  );
}
