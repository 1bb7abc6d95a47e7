import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PlacementGroupForm } from "@/components/forms/placement-group-form";
import { DeleteDialog } from "@/components/forms/delete-dialog";
import { listHostOptions, listZoneOptions } from "@/lib/server/inventory/hosts";
import { getPlacementGroupForEdit } from "@/lib/server/inventory/placement-groups";
import { listVmOptions } from "@/lib/server/inventory/vms";
import { deletePlacementGroupAction, updatePlacementGroupAction } from "../../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const g = await getPlacementGroupForEdit(id);
  return { title: g ? `Edit ${g.name}` : "Placement group not found" };
}

export default async function EditPlacementGroupPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  const { id } = await params;
  const [group, vms, hosts, zones] = await Promise.all([getPlacementGroupForEdit(id), listVmOptions(), listHostOptions(), listZoneOptions()]);
  if (!group) notFound();
  return (
    <>
      <PageHeader title={`Edit ${group.name}`} crumbs={[{ label: "Placement groups", href: "/placement-groups" }, { label: group.name }]} />
      <div className="space-y-5">
        <PlacementGroupForm action={updatePlacementGroupAction} options={{ vms, hosts, zones }} cancelHref="/placement-groups" initial={group} />
        <Card className="max-w-3xl border-red-200">
          <CardHeader title="Delete placement group" />
          <CardBody className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-[13px] text-zinc-600">Its VMs stay; only the rule goes.</p>
            <DeleteDialog
              action={deletePlacementGroupAction}
              id={group.id}
              title={`Delete placement group ${group.name}?`}
              description="The placement engine stops applying this rule."
              triggerLabel="Delete group"
              confirmLabel="Delete group"
              redirectTo="/placement-groups"
            />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
