import type { Metadata } from "next";
import Link from "next/link";
import { Plus } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { LinkButton } from "@/components/ui/button";
import { Table, THead, Th, Tr, Td } from "@/components/ui/table";
import { listPlacementGroups } from "@/lib/server/inventory/placement-groups";
import { RoleGate } from "@/app/(console)/_loaders/role-gate";

export const metadata: Metadata = { title: "Placement groups" };
export const dynamic = "force-dynamic";

const TYPE_LABEL: Record<string, string> = {
  "vm-host": "VM-host",
  "vm-vm-affinity": "VM-VM affinity",
  "vm-vm-anti-affinity": "VM-VM anti-affinity",
  zone: "Zone",
};

function names(items: { id: string; name: string }[], base: string, max = 6) {
  if (items.length === 0) return <span className="text-zinc-400">—</span>;
  const shown = items.slice(0, max);
  return (
    <span>
      {shown.map((x, i) => (
        <span key={x.id}>
          {i > 0 && ", "}
          <Link href={`${base}/${x.id}`} className="text-blue-700 hover:underline">
            {x.name}
          </Link>
        </span>
      ))}
      {items.length > max && <span className="text-zinc-500"> +{items.length - max} more</span>}
    </span>
  );
}

export default async function PlacementGroupsPage() {
  const groups = await listPlacementGroups();
  return (
    <>
      <PageHeader
        title="Placement groups"
        description="Rules the placement engine keeps when it powers on, rebuilds or evacuates VMs."
        actions={
          <RoleGate role="admin">
            <LinkButton href="/placement-groups/new" variant="primary">
              <Plus aria-hidden className="size-3.5" />
              New group
            </LinkButton>
          </RoleGate>
        }
      />
      <Card>
        {groups.length === 0 ? (
          <div className="px-4 py-10 text-center text-[13px] text-zinc-500">
            No placement groups yet.
            <RoleGate role="admin">
              {" "}
              <Link href="/placement-groups/new" className="text-blue-700 hover:underline">
                Create one
              </Link>
              .
            </RoleGate>
          </div>
        ) : (
          <Table label="Placement groups">
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Type</Th>
                <Th>Enforcement</Th>
                <Th>VMs</Th>
                <Th>Hosts / zone</Th>
              </tr>
            </THead>
            <tbody>
              {groups.map((g) => (
                <Tr key={g.id}>
                  <Td className="font-medium">
                    <Link href={`/placement-groups/${g.id}`} className="text-blue-700 hover:underline">
                      {g.name}
                    </Link>
                  </Td>
                  <Td>{TYPE_LABEL[g.type] ?? g.type}</Td>
                  <Td>
                    <Badge tone={g.enforcement === "must" ? "blue" : "neutral"}>{g.enforcement}</Badge>
                  </Td>
                  <Td>{names(g.vms, "/vms")}</Td>
                  <Td>
                    {g.type === "zone" ? (g.zoneName ?? "—") : names(g.hosts, "/hosts")}
                    {g.hostOrder.length > 0 && (
                      <div className="mt-0.5 text-[11.5px] text-zinc-500" data-testid="pg-host-order">
                        order: {g.hostOrder.map((h) => h.name).join(" › ")}
                        {g.failback !== null && ` · failback ${g.failback ? "on" : "off"}`}
                      </div>
                    )}
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
