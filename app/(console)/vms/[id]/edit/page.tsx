import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { VmForm } from "@/components/forms/vm-form";
import { DeleteDialog } from "@/components/forms/delete-dialog";
import { listHostOptions } from "@/lib/server/inventory/hosts";
import { listNetworkOptions } from "@/lib/server/inventory/networks";
import { getRestartDefaults, getVmForEdit, listDeviceOptions } from "@/lib/server/inventory/vms";
import { deleteVmAction, updateVmAction } from "../../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const vm = await getVmForEdit(id);
  return { title: vm ? `Edit ${vm.name}` : "VM not found" };
}

const RUNNING = new Set(["running", "starting", "stopping", "migrating"]);

export default async function EditVmPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  const { id } = await params;
  const [vm, hosts, networks, devices, clusterRestart] = await Promise.all([getVmForEdit(id), listHostOptions(), listNetworkOptions(), listDeviceOptions(), getRestartDefaults()]);
  if (!vm) notFound();
  const running = RUNNING.has(vm.power);
  return (
    <>
      <PageHeader
        title={`Edit ${vm.name}`}
        crumbs={[{ label: "VMs", href: "/vms" }, { label: vm.name, href: `/vms/${vm.id}` }, { label: "Edit" }]}
        description={vm.host ? `${vm.power} on ${vm.host.name}` : vm.power}
      />
      <div className="space-y-5">
        <VmForm
          action={updateVmAction}
          power={vm.power}
          cancelHref={`/vms/${vm.id}`}
          options={{ hosts, networks, tags: devices.tags, gpus: devices.gpus, clusterRestart }}
          initial={{
            id: vm.id,
            name: vm.name,
            vcpus: vm.vcpus,
            memoryMiB: vm.memoryMiB,
            haPriority: vm.haPriority,
            keepRunningWhenIsolated: vm.keepRunningWhenIsolated,
            restartMaxRestarts: vm.restartMaxRestarts,
            restartMaxRelocations: vm.restartMaxRelocations,
            hostAffinity: vm.hostAffinity.map((a) => a.hostId),
            deviceRequests: vm.deviceRequests,
            nics: vm.nics.map((n) => ({ networkId: n.networkId, staticIp: n.staticIp, address: n.lease?.address ?? null })),
            disks: vm.disks,
          }}
        />
        <Card className="max-w-4xl border-red-200">
          <CardHeader title="Delete VM" />
          <CardBody className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-[13px] text-zinc-600">
              {running
                ? `${vm.name} is ${vm.power}; power it off before deleting it.`
                : "Deleting releases its devices, IP addresses and storage sessions."}
            </p>
            <DeleteDialog
              action={deleteVmAction}
              id={vm.id}
              title={`Delete VM ${vm.name}?`}
              description={`${vm.name} and its disks, NICs and IP leases are removed. It cannot be undone.`}
              triggerLabel="Delete VM"
              confirmLabel="Delete VM"
              redirectTo="/vms"
            />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
