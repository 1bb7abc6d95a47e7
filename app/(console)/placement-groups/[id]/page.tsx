import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Pencil } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { LinkButton } from "@/components/ui/button";
import { DescriptionList } from "@/components/ui/description-list";
import { entityLink } from "@/components/ui/table";
import { listPlacementGroups } from "@/lib/server/inventory/placement-groups";
import { getPrincipal } from "@/lib/server/auth/session";
import { roleAtLeast } from "@/lib/schemas/auth";

export const dynamic = "force-dynamic";

const TYPE_LABEL: Record<string, string> = {
  "vm-host": "VM-host",
  "vm-vm-affinity": "VM-VM affinity",
  "vm-vm-anti-affinity": "VM-VM anti-affinity",
  zone: "Zone",
};

async function findGroup(id: string) {
  return (await listPlacementGroups()).find((g) => g.id === id) ?? null;
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const g = await findGroup((await params).id);
  return { title: g?.name ?? "Placement group not found" };
}

function Links({ items, base }: { items: { id: string; name: string }[]; base: string }) {
  if (items.length === 0) return <span className="text-zinc-400">none</span>;
  return (
    <span className="flex flex-wrap gap-x-2 gap-y-0.5">
      {items.map((x) => (
        <Link key={x.id} href={`${base}/${x.id}`} className={entityLink}>
          {x.name}
        </Link>
      ))}
    </span>
  );
}

/** A placement group, read-only (every role); admins get an Edit button. */
export default async function PlacementGroupPage({ params }: { params: Promise<{ id: string }> }) {
  const [g, me] = await Promise.all([params.then((p) => findGroup(p.id)), getPrincipal()]);
  if (!g) notFound();
  return (
    <>
      <PageHeader
        crumbs={[{ label: "Placement groups", href: "/placement-groups" }, { label: g.name }]}
        title={g.name}
        badges={
          <>
            <Badge>{TYPE_LABEL[g.type] ?? g.type}</Badge>
            <Badge tone={g.enforcement === "must" ? "blue" : "neutral"}>{g.enforcement}</Badge>
          </>
        }
        description="A rule the placement engine keeps when it powers on, rebuilds or evacuates VMs."
        actions={
          roleAtLeast(me?.role, "admin") ? (
            <LinkButton href={`/placement-groups/${g.id}/edit`} variant="primary">
              <Pencil aria-hidden className="size-3.5" />
              Edit
            </LinkButton>
          ) : undefined
        }
      />
      <Card>
        <CardHeader title="Rule" />
        <CardBody>
          <DescriptionList
            columns={1}
            items={[
              { label: "Type", value: TYPE_LABEL[g.type] ?? g.type },
              { label: "Enforcement", value: g.enforcement === "must" ? "must (a hard rule)" : "should (a preference)" },
              { label: "VMs", value: <Links items={g.vms} base="/vms" /> },
              g.type === "zone" ? { label: "Zone", value: g.zoneName ?? "—" } : { label: "Hosts", value: <Links items={g.hosts} base="/hosts" /> },
              ...(g.hostOrder.length > 0
                ? [{ label: "Host order", value: `${g.hostOrder.map((h) => h.name).join(" › ")}${g.failback !== null ? ` · failback ${g.failback ? "on" : "off"}` : ""}` }]
                : []),
            ]}
          />
        </CardBody>
      </Card>
    </>
  );
}
