import type { Metadata } from "next";
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getVmName } from "@/lib/server/queries/vms";
import { getPrincipal } from "@/lib/server/auth/session";
import { roleAtLeast } from "@/lib/schemas/auth";
import { PageSkeleton } from "@/components/ui/skeleton";
import { DemoFaults } from "../../_loaders/demo-faults";
import { VmDetailSection, VmOperationsSection } from "./sections";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const vm = await getVmName((await params).id);
  return { title: vm?.name ?? "VM not found" };
}

export default async function VmPage({ params }: Props) {
  const [vm, me] = await Promise.all([params.then((p) => getVmName(p.id)), getPrincipal()]);
  if (!vm) notFound();
  const canOperate = roleAtLeast(me?.role, "operator");
  return (
    <>
      <Suspense fallback={<PageSkeleton rows={8} cards={3} />}>
        <VmDetailSection id={vm.id} canAdmin={roleAtLeast(me?.role, "admin")} />
      </Suspense>
      <Suspense fallback={null}>
        <VmOperationsSection vmId={vm.id} canOperate={canOperate} />
      </Suspense>
      {canOperate && <DemoFaults vmId={vm.id} />}
    </>
  );
}
