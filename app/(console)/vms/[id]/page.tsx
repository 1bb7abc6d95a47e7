import type { Metadata } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getVmName } from "@/lib/server/queries/vms";
import { PageSkeleton } from "@/components/ui/skeleton";
import { VmDetail } from "@/components/vms/vm-detail";
import { DemoFaults } from "@/components/demo/demo-faults";
import { RoleGate } from "@/components/auth/role-gate";
import { VmOperations } from "@/components/vms/vm-operations";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const vm = await getVmName((await params).id);
  return { title: vm?.name ?? "VM not found" };
}

export default async function VmPage({ params }: Props) {
  const vm = await getVmName((await params).id);
  if (!vm) notFound();
  return (
    <>
      <Suspense fallback={<PageSkeleton rows={8} cards={3} />}>
        <VmDetail id={vm.id} />
      </Suspense>
      <Suspense fallback={null}>
        <VmOperations vmId={vm.id} />
      </Suspense>
      <RoleGate role="operator">
        <DemoFaults vmId={vm.id} />
      </RoleGate>
    </>
  );
}
