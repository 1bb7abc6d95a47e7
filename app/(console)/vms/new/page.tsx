import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { VmForm } from "@/components/forms/vm-form";
import { listHostOptions } from "@/lib/server/inventory/hosts";
import { listNetworkOptions } from "@/lib/server/inventory/networks";
import { getRestartDefaults, listDeviceOptions } from "@/lib/server/inventory/vms";
import { createVmAction } from "../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const metadata: Metadata = { title: "New VM" };
export const dynamic = "force-dynamic";

export default async function NewVmPage() {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  const [hosts, networks, devices, clusterRestart] = await Promise.all([listHostOptions(), listNetworkOptions(), listDeviceOptions(), getRestartDefaults()]);
  return (
    <>
      <PageHeader title="New VM" crumbs={[{ label: "VMs", href: "/vms" }, { label: "New" }]} description="The VM is created powered off; power it on from its page." />
      <VmForm action={createVmAction} options={{ hosts, networks, tags: devices.tags, gpus: devices.gpus, clusterRestart }} cancelHref="/vms" />
    </>
  );
}
