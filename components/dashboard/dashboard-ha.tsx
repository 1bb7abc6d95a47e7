// The dashboard's engine-backed rows (HA card, what-if, device-tag coverage). The page streams them
// in their own Suspense boundary (the counts and charts above never wait for the engine) and
// passes the data and the what-if action in.
import Link from "next/link";
import type { HaCardData, TagCoverageRow, WhatIfHostOption, WhatIfResult } from "@/lib/server/queries/dashboard";
import type { ActionResult } from "@/lib/schemas/action-result";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { WhatIfPanel } from "@/components/ha/what-if-panel";
import { HaCard } from "./ha-card";
import { TagCoverage } from "./tag-coverage";
import { AwayVms, type AwayVmRow } from "./away-vms";

export interface DashboardHaData {
  card: HaCardData;
  coverage: { rows: TagCoverageRow[] };
  hosts: WhatIfHostOption[];
  away: AwayVmRow[];
  /** The what-if shown first (the host in the URL, else the first host whose failure cannot be absorbed). */
  initial: WhatIfResult | null;
}

export function DashboardHa({ data: { card, coverage, hosts, away, initial }, now, whatIfAction }: { data: DashboardHaData; now: number; whatIfAction: (hostId: string) => Promise<ActionResult<WhatIfResult>> }) {
  return (
    <>
      <div className="mt-3 grid grid-cols-1 gap-3 xl:grid-cols-2">
        <HaCard d={card} now={now} />
        <WhatIfPanel hosts={hosts} initial={initial} whatIfAction={whatIfAction} />
      </div>
      {away.length > 0 && <AwayVms rows={away} />}
      <Card className="mt-3" aria-labelledby="tag-coverage-title" data-testid="tag-coverage">
        <CardHeader
          id="tag-coverage-title"
          title="Device-tag coverage"
          note="can every VM using a tag be rebuilt on another host?"
          actions={
            <Link href="/tags" className="text-[12px] font-medium text-blue-700 hover:underline">
              Device tags
            </Link>
          }
        />
        <TagCoverage rows={coverage.rows} />
      </Card>
    </>
  );
}

export function DashboardHaLoading() {
  return (
    <div role="status" aria-busy="true">
      <span className="sr-only">Assessing high availability…</span>
      <div className="mt-3 grid grid-cols-1 gap-3 xl:grid-cols-2">
        {["High availability", "What if a host failed now"].map((t) => (
          <Card key={t}>
            <CardHeader title={t} />
            <CardBody className="space-y-2">
              <Skeleton className="h-5 w-1/2" />
              <Skeleton className="h-4 w-3/4" />
              <Skeleton className="h-16 w-full" />
            </CardBody>
          </Card>
        ))}
      </div>
      <Card className="mt-3">
        <CardHeader title="Device-tag coverage" />
        <CardBody className="space-y-2">
          <Skeleton className="h-4 w-full" />
          <Skeleton className="h-4 w-full" />
          <Skeleton className="h-4 w-2/3" />
        </CardBody>
      </Card>
    </div>
  );
}

