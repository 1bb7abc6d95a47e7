import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { NetworkForm } from "@/components/forms/network-form";
import { DeleteDialog } from "@/components/forms/delete-dialog";
import { getNetworkForEdit } from "@/lib/server/inventory/networks";
import { deleteNetworkAction, updateNetworkAction } from "../../actions";
import { requirePageRole } from "@/lib/server/auth/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const net = await getNetworkForEdit(id);
  return { title: net ? `Edit ${net.name}` : "Network not found" };
}

export default async function EditNetworkPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageRole("admin"); // inventory forms are for admins (the services refuse others anyway)
  const { id } = await params;
  const net = await getNetworkForEdit(id);
  if (!net) notFound();
  const used = net._count.vmNics;
  return (
    <>
      <PageHeader
        title={`Edit ${net.name}`}
        crumbs={[{ label: "Networks", href: "/networks" }, { label: net.name, href: `/networks/${net.id}` }, { label: "Edit" }]}
        description={net._count.leases > 0 ? `${net._count.leases} addresses leased; the CIDR must keep them.` : undefined}
      />
      <div className="space-y-5">
        <NetworkForm action={updateNetworkAction} cancelHref={`/networks/${net.id}`} initial={net} />
        <Card className="max-w-3xl border-red-200">
          <CardHeader title="Delete network" />
          <CardBody className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-[13px] text-zinc-600">
              {used > 0 ? `${used} VM ${used === 1 ? "NIC is" : "NICs are"} attached; detach them before deleting.` : "No VM NIC uses this network."}
            </p>
            <DeleteDialog
              action={deleteNetworkAction}
              id={net.id}
              title={`Delete network ${net.name}?`}
              description="The network and its address pool are removed. It cannot be undone."
              triggerLabel="Delete network"
              confirmLabel="Delete network"
              redirectTo="/networks"
            />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
