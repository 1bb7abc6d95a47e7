import "server-only";
// The dashboard's engine-backed rows, loaded here and rendered by components/dashboard/dashboard-ha.
import { Suspense } from "react";
import { getHaCard, getTagCoverage, getWhatIf, listWhatIfHosts } from "@/lib/server/queries/dashboard";
import { listVmsAwayFromPreferredHost } from "@/lib/server/recovery-ops";
import { DashboardHa, DashboardHaLoading } from "@/components/dashboard/dashboard-ha";
import { whatIfAction } from "./actions";

async function DashboardHaData({ whatIfHostId, now }: { whatIfHostId?: string; now: number }) {
  const [card, coverage, hosts, away] = await Promise.all([getHaCard(), getTagCoverage(), listWhatIfHosts(), listVmsAwayFromPreferredHost().catch(() => [])]);
  // Preselect the host asked for in the URL, else the first host whose failure cannot be absorbed.
  const wanted = whatIfHostId && hosts.some((h) => h.id === whatIfHostId) ? whatIfHostId : card.unabsorbable.sets.find((s) => s.hosts.length === 1)?.hosts[0].id;
  const initial = wanted ? await getWhatIf(wanted) : null;
  return <DashboardHa data={{ card, coverage, hosts, away, initial }} now={now} whatIfAction={whatIfAction} />;
}

/** The HA card, the what-if panel and device-tag coverage of the cluster, in their own Suspense. */
export function DashboardHaSection({ whatIfHostId, now }: { whatIfHostId?: string; now: number }) {
  return (
    <Suspense fallback={<DashboardHaLoading />}>
      <DashboardHaData whatIfHostId={whatIfHostId} now={now} />
    </Suspense>
  );
}
