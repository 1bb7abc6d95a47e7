// The what-if card's placeholder while a host page's what-if streams in.
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

export function WhatIfSkeleton() {
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
