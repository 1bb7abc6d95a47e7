import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { NetworkForm } from "@/components/forms/network-form";
import { createNetworkAction } from "../actions";

export const metadata: Metadata = { title: "New network" };

export default function NewNetworkPage() {
  return (
    <>
      <PageHeader title="New network" crumbs={[{ label: "Networks", href: "/networks" }, { label: "New" }]} />
      <NetworkForm action={createNetworkAction} cancelHref="/networks" />
    </>
  );
}
