import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { NetworkForm } from "@/components/forms/network-form";
import { createNetworkAction } from "../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const metadata: Metadata = { title: "New network" };

export default async function NewNetworkPage() {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  return (
    <>
      <PageHeader title="New network" crumbs={[{ label: "Networks", href: "/networks" }, { label: "New" }]} />
      <NetworkForm action={createNetworkAction} cancelHref="/networks" />
    </>
  );
}
