import type { Metadata } from "next";
import { Network, Plus } from "lucide-react";
import { listNetworks } from "@/lib/server/queries/networks";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { LinkButton } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { fmtInt } from "@/components/ui/format";
import { NetworkTable } from "@/components/networks/network-table";
import { RoleGate } from "@/app/(console)/_loaders/role-gate";
import { getPrincipal } from "@/lib/server/auth/session";
import { roleAtLeast } from "@/lib/schemas/auth";

export const metadata: Metadata = { title: "Networks" };
export const dynamic = "force-dynamic";

export default async function NetworksPage() {
  const [networks, me] = await Promise.all([listNetworks(), getPrincipal()]);
  const managed = networks.filter((n) => n.managed).length;
  const newButton = (
    <RoleGate role="admin">
      <LinkButton href="/networks/new" variant="primary">
        <Plus aria-hidden className="size-3.5" />
        New network
      </LinkButton>
    </RoleGate>
  );
  return (
    <>
      <PageHeader
        title="Networks"
        description={`${fmtInt(networks.length)} network${networks.length === 1 ? "" : "s"} · ${fmtInt(managed)} managed by Haven's IPAM`}
        actions={newButton}
      />
      <Card>
        {networks.length === 0 ? (
          <EmptyState icon={Network} title="No networks yet" action={newButton}>
            A VM NIC attaches to a network: managed networks get addresses from Haven&apos;s IPAM, unmanaged ones from an outside DHCP server.
          </EmptyState>
        ) : (
          <NetworkTable networks={networks} canAdmin={roleAtLeast(me?.role, "admin")} />
        )}
      </Card>
    </>
  );
}
