import type { Metadata } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getHostName } from "@/lib/server/queries/hosts";
import { getPrincipal } from "@/lib/server/auth/session";
import { roleAtLeast } from "@/lib/schemas/auth";
import { PageSkeleton } from "@/components/ui/skeleton";
import { WhatIfSkeleton } from "@/components/ha/host-what-if";
import { DemoFaults } from "../../_loaders/demo-faults";
import { DiscoveredDevicesSection, HostDetailSection, HostPowerConfirmationSection, HostWhatIfSection, MaintenanceSection } from "./sections";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const host = await getHostName((await params).id);
  return { title: host?.name ?? "Host not found" };
}

export default async function HostPage({ params }: Props) {
  const [host, me] = await Promise.all([params.then((p) => getHostName(p.id)), getPrincipal()]);
  if (!host) notFound();
  const canAdmin = roleAtLeast(me?.role, "admin");
  const canOperate = roleAtLeast(me?.role, "operator");
  return (
    <>
      <Suspense fallback={<PageSkeleton rows={8} cards={3} />}>
        <HostDetailSection id={host.id} canAdmin={canAdmin} />
      </Suspense>
      {canAdmin && (
        <Suspense fallback={null}>
          <HostPowerConfirmationSection hostId={host.id} />
        </Suspense>
      )}
      {canAdmin && (
        <Suspense fallback={null}>
          <DiscoveredDevicesSection hostId={host.id} hostName={host.name} />
        </Suspense>
      )}
      <Suspense fallback={null}>
        <MaintenanceSection hostId={host.id} hostName={host.name} canOperate={canOperate} />
      </Suspense>
      <Suspense fallback={<WhatIfSkeleton />}>
        <HostWhatIfSection hostId={host.id} />
      </Suspense>
      {canOperate && <DemoFaults hostId={host.id} />}
    </>
  );
}
