// The what-if panel of one host (host page): streams on its own, after the host's details.
import { Suspense } from "react";
import { getWhatIf } from "@/lib/server/queries/dashboard";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { WhatIfPanel } from "./what-if-panel";

async function HostWhatIfData({ hostId }: { hostId: string }) {
  let r = await getWhatIf(hostId);
  if (!r) r = await getWhatIf(hostId, undefined, { fresh: true });
  if (!r) return null;
  return <WhatIfPanel initial={r} fixedHost className="mt-3" />;
}

function Loading() {
  return (
    <Card className="mt-3" aria-busy="true">
      <CardHeader title="What if a host failed now" />
      <CardBody className="space-y-2">
        <Skeleton className="h-4 w-2/3" />
        <Skeleton className="h-4 w-1/2" />
        <Skeleton className="h-16 w-full" />
      </CardBody>
    </Card>
  );
}

/** `<HostWhatIf hostId=… />`: "if this host failed now" for a host page. */
export function HostWhatIf({ hostId }: { hostId: string }) {
  return (
    <Suspense fallback={<Loading />}>
      <HostWhatIfData hostId={hostId} />
    </Suspense>
  );
}
