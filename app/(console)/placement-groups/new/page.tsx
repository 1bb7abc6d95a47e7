import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { PlacementGroupForm } from "@/components/forms/placement-group-form";
import { listHostOptions, listZoneOptions } from "@/lib/server/inventory/hosts";
import { listVmOptions } from "@/lib/server/inventory/vms";
import { createPlacementGroupAction } from "../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const metadata: Metadata = { title: "New placement group" };
export const dynamic = "force-dynamic";

export default async function NewPlacementGroupPage() {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  const [vms, hosts, zones] = await Promise.all([listVmOptions(), listHostOptions(), listZoneOptions()]);
  return (
    <>
      <PageHeader title="New placement group" crumbs={[{ label: "Placement groups", href: "/placement-groups" }, { label: "New" }]} />
      <PlacementGroupForm action={createPlacementGroupAction} options={{ vms, hosts, zones }} cancelHref="/placement-groups" />
    </>
  );
}
