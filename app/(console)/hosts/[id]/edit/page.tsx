import type { Metadata } from "next";
import { previewNicRetagAction } from "../../nic-retag-actions";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { HostForm } from "@/components/forms/host-form";
import { HostGpus, HostNics } from "@/components/forms/host-devices";
import { DeleteDialog } from "@/components/forms/delete-dialog";
import { getHostForEdit, listZoneOptions } from "@/lib/server/inventory/hosts";
import { gpuUnitTag } from "@/lib/server/inventory/device-tags";
import {
  clearNicTagAction,
  createGpuAction,
  createNicAction,
  deleteGpuAction,
  deleteHostAction,
  deleteNicAction,
  setNicTagAction,
  updateGpuAction,
  updateHostAction,
  updateNicAction,
} from "../../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const host = await getHostForEdit(id);
  return { title: host ? `Edit ${host.name}` : "Host not found" };
}

export default async function EditHostPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  const { id } = await params;
  const [host, zones] = await Promise.all([getHostForEdit(id), listZoneOptions()]);
  if (!host) notFound();
  const actions = {
    createGpu: createGpuAction,
    updateGpu: updateGpuAction,
    deleteGpu: deleteGpuAction,
    createNic: createNicAction,
    updateNic: updateNicAction,
    deleteNic: deleteNicAction,
    setNicTag: setNicTagAction,
    clearNicTag: clearNicTagAction,
    previewNicTag: previewNicRetagAction,
  };
  const vmCount = host._count.vms;
  return (
    <>
      <PageHeader
        title={`Edit ${host.name}`}
        crumbs={[{ label: "Hosts", href: "/hosts" }, { label: host.name, href: `/hosts/${host.id}` }, { label: "Edit" }]}
        description="Host fields, GPUs, NICs and SR-IOV tags."
      />
      <div className="space-y-5">
        <HostForm
          action={updateHostAction}
          zones={zones}
          cancelHref={`/hosts/${host.id}`}
          initial={{
            id: host.id,
            name: host.name,
            address: host.address,
            cpus: host.cpus,
            memoryMiB: host.memoryMiB,
            zoneId: host.zoneId,
            storageControllerPresent: host.storageControllerPresent,
          }}
        />
        <HostGpus
          hostId={host.id}
          actions={actions}
          gpus={host.gpus.map((g) => ({
            id: g.id,
            name: g.name,
            vendor: g.vendor,
            model: g.model,
            pciAddress: g.pciAddress,
            mode: g.mode,
            vgpuProfile: g.vgpuProfile,
            vgpuSlots: g.vgpuSlots,
            tag: gpuUnitTag(g).tag,
            allocated: g._count.allocations,
          }))}
        />
        <HostNics
          hostId={host.id}
          actions={actions}
          nics={host.nics.map((n) => ({
            id: n.id,
            name: n.name,
            role: n.role,
            sriovVfs: n.sriovVfs,
            tag: n.tag,
            bond: n.bond,
            speedGbps: n.speedGbps,
            allocated: n._count.allocations,
          }))}
        />
        <Card className="border-red-200">
          <CardHeader title="Delete host" />
          <CardBody className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-[13px] text-zinc-600">
              {vmCount > 0
                ? `${host.name} runs ${vmCount} ${vmCount === 1 ? "VM" : "VMs"}; move or delete them before deleting the host.`
                : "Deleting removes the host with its GPUs and NICs."}
            </p>
            <DeleteDialog
              action={deleteHostAction}
              id={host.id}
              title={`Delete host ${host.name}?`}
              description={`This removes ${host.name} with its ${host.gpus.length} GPUs and ${host.nics.length} NICs. It cannot be undone.`}
              triggerLabel="Delete host"
              confirmLabel="Delete host"
              redirectTo="/hosts"
            />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
