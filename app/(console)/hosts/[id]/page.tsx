import type { Metadata } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getHostName } from "@/lib/server/queries/hosts";
import { PageSkeleton } from "@/components/ui/skeleton";
import { HostDetail } from "@/components/hosts/host-detail";
import { DemoFaults } from "@/components/demo/demo-faults";
import { RoleGate } from "@/components/auth/role-gate";
import { HostWhatIf } from "@/components/ha/host-what-if";
import { MaintenancePanel } from "@/components/maintenance/maintenance-panel";
import { HostPowerConfirmation } from "@/components/hosts/host-power-confirmation";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const host = await getHostName((await params).id);
  return { title: host?.name ?? "Host not found" };
}

export default async function HostPage({ params }: Props) {
  const host = await getHostName((await params).id);
  if (!host) notFound();
  return (
    <>
      <Suspense fallback={<PageSkeleton rows={8} cards={3} />}>
        <HostDetail id={host.id} />
      </Suspense>
      <Suspense fallback={null}>
        <HostPowerConfirmation hostId={host.id} />
      </Suspense>
      <Suspense fallback={null}>
        <MaintenancePanel hostId={host.id} hostName={host.name} />
      </Suspense>
      <HostWhatIf hostId={host.id} />
      <RoleGate role="operator">
        <DemoFaults hostId={host.id} />
      </RoleGate>
    </>
  );
}
