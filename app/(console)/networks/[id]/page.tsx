import type { Metadata } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getNetwork, getNetworkName, parseNetworkLeaseQuery, type NetworkLeaseQuery } from "@/lib/server/queries/networks";
import type { SearchParams } from "@/lib/server/queries/params";
import { getPrincipal } from "@/lib/server/auth/session";
import { roleAtLeast } from "@/lib/schemas/auth";
import { PageSkeleton } from "@/components/ui/skeleton";
import { flatParams, type QueryValues } from "@/components/ui/url";
import { NetworkDetail } from "@/components/networks/network-detail";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const n = await getNetworkName((await params).id);
  return { title: n?.name ?? "Network not found" };
}

async function NetworkDetailSection({ id, query, params, canAdmin }: { id: string; query: NetworkLeaseQuery; params: QueryValues; canAdmin: boolean }) {
  const network = await getNetwork(id, query);
  if (!network) notFound();
  return <NetworkDetail network={network} query={query} params={params} canAdmin={canAdmin} />;
}

export default async function NetworkPage({ params, searchParams }: Props) {
  const [{ id }, sp, me] = await Promise.all([params, searchParams, getPrincipal()]);
  const n = await getNetworkName(id);
  if (!n) notFound();
  return (
    <Suspense fallback={<PageSkeleton rows={10} cards={2} />}>
      <NetworkDetailSection id={n.id} query={parseNetworkLeaseQuery(sp)} params={flatParams(sp)} canAdmin={roleAtLeast(me?.role, "admin")} />
    </Suspense>
  );
}
