import "server-only";
// The VM page's loaders: each reads its data and renders a component with it (components take
// data and actions as props). Each streams in its own Suspense.
import { Suspense } from "react";
import { notFound } from "next/navigation";
import { getVm, getVmHaEligibility } from "@/lib/server/queries/vms";
import { requestTime } from "@/lib/server/queries/params";
import { vmOperationsView } from "@/lib/server/placement-explain";
import { getVmAway } from "@/lib/server/recovery-ops";
import { Skeleton } from "@/components/ui/skeleton";
import { VmDetail } from "@/components/vms/vm-detail";
import { HaEligibility } from "@/components/vms/ha-eligibility";
import { VmOperations } from "@/components/vms/vm-operations";
import { powerOffAction, powerOnAction } from "../power-actions";
import { moveVmBackAction, retryVmAction } from "../recovery-actions";

async function HaEligibilitySection({ vmId }: { vmId: string }) {
  return <HaEligibility e={await getVmHaEligibility(vmId)} />;
}

export async function VmDetailSection({ id, canAdmin }: { id: string; canAdmin: boolean }) {
  const vm = await getVm(id);
  if (!vm) notFound();
  return (
    <VmDetail
      vm={vm}
      now={requestTime()}
      canAdmin={canAdmin}
      haEligibility={
        <Suspense fallback={<Skeleton className="h-5 w-32" />}>
          <HaEligibilitySection vmId={vm.id} />
        </Suspense>
      }
    />
  );
}

export async function VmOperationsSection({ vmId, canOperate }: { vmId: string; canOperate: boolean }) {
  const [view, away] = await Promise.all([vmOperationsView(vmId), getVmAway(vmId).catch(() => null)]);
  if (!view) return null;
  return (
    <VmOperations
      vmId={vmId}
      view={view}
      away={away}
      actions={canOperate ? { power: { powerOn: powerOnAction, powerOff: powerOffAction, retry: retryVmAction }, moveBack: moveVmBackAction } : null}
    />
  );
}
