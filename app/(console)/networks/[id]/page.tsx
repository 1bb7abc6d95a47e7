import type { Metadata } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getNetworkName, parseNetworkLeaseQuery } from "@/lib/server/queries/networks";
import type { SearchParams } from "@/lib/server/queries/params";
import { PageSkeleton } from "@/components/ui/skeleton";
import { flatParams } from "@/components/ui/url";
import { NetworkDetail } from "@/components/networks/network-detail";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const n = await getNetworkName((await params).id);
  return { title: n?.name ?? "Network not found" };
}

export default async function NetworkPage({ params, searchParams }: Props) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const n = await getNetworkName(id);
  if (!n) notFound();
  return (
    <Suspense fallback={<PageSkeleton rows={10} cards={2} />}>
      <NetworkDetail id={n.id} query={parseNetworkLeaseQuery(sp)} params={flatParams(sp)} />
    </Suspense>
  );
}
