// The dashboard's engine-backed rows (HA card, what-if, device-tag coverage). They stream in their
// own Suspense boundary: the counts and charts above never wait for the engine.
import { Suspense } from "react";
import Link from "next/link";
import { getHaCard, getTagCoverage, getWhatIf, listWhatIfHosts } from "@/lib/server/queries/dashboard";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { WhatIfPanel } from "@/components/ha/what-if-panel";
import { HaCard } from "./ha-card";
import { TagCoverage } from "./tag-coverage";
import { AwayVms } from "./away-vms";
import { listVmsAwayFromPreferredHost } from "@/lib/server/recovery-ops";

async function DashboardHaData({ whatIfHostId, now }: { whatIfHostId?: string; now: number }) {
  const [card, coverage, hosts, away] = await Promise.all([getHaCard(), getTagCoverage(), listWhatIfHosts(), listVmsAwayFromPreferredHost().catch(() => [])]);
  // Preselect the host asked for in the URL, else the first host whose failure cannot be absorbed.
  const wanted = whatIfHostId && hosts.some((h) => h.id === whatIfHostId) ? whatIfHostId : card.unabsorbable.sets.find((s) => s.hosts.length === 1)?.hosts[0].id;
  const initial = wanted ? await getWhatIf(wanted) : null;
  return (
    <>
      <div className="mt-3 grid grid-cols-1 gap-3 xl:grid-cols-2">
        <HaCard d={card} now={now} />
        <WhatIfPanel hosts={hosts} initial={initial} />
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

function Loading() {
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

/** `<DashboardHa />`: the HA card, the what-if panel and device-tag coverage of the cluster. */
export function DashboardHa({ whatIfHostId, now }: { whatIfHostId?: string; now: number }) {
  return (
    <Suspense fallback={<Loading />}>
      <DashboardHaData whatIfHostId={whatIfHostId} now={now} />
    </Suspense>
  );
}
