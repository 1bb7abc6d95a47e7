import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { HostForm } from "@/components/forms/host-form";
import { listZoneOptions } from "@/lib/server/inventory/hosts";
import { createHostAction } from "../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const metadata: Metadata = { title: "New host" };
export const dynamic = "force-dynamic";

export default async function NewHostPage() {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  const zones = await listZoneOptions();
  return (
    <>
      <PageHeader title="New host" crumbs={[{ label: "Hosts", href: "/hosts" }, { label: "New" }]} description="Add a hypervisor host; then add its GPUs and NICs." />
      <HostForm action={createHostAction} zones={zones} cancelHref="/hosts" />
    </>
  );
}
