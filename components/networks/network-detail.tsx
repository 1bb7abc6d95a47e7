import Link from "next/link";
import { Pencil } from "lucide-react";
import type { NetworkDetail as NetworkDetailData } from "@/lib/server/queries/networks";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { LinkButton } from "@/components/ui/button";
import { DescriptionList } from "@/components/ui/description-list";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { Badge } from "@/components/ui/badge";
import { PowerBadge } from "@/components/ui/status";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterBar, SearchInput } from "@/components/ui/filter-bar";
import { Pagination } from "@/components/ui/pagination";
import { fmtDateTime, fmtInt } from "@/components/ui/format";
import type { QueryValues } from "@/components/ui/url";
import { ManagedBadge } from "./network-table";
import { Network } from "lucide-react";

/** The network page's content: settings, IPAM usage and one page of leases. */
export function NetworkDetail({ network: n, query, params, canAdmin }: { network: NetworkDetailData; query: { q?: string }; params: QueryValues; canAdmin: boolean }) {
  const path = `/networks/${n.id}`;
  const leases = n.leasesPage;

  return (
    <>
      <PageHeader
        crumbs={[{ label: "Networks", href: "/networks" }, { label: n.name }]}
        title={n.name}
        badges={<ManagedBadge managed={n.managed} />}
        description={
          <>
            {n.vlan !== null ? `VLAN ${n.vlan}` : "untagged"}
            {n.cidr && (
              <>
                {" · "}
                <span className="font-mono">{n.cidr}</span>
              </>
            )}
            {" · "}
            {fmtInt(n.vmNics)} VM NIC{n.vmNics === 1 ? "" : "s"}
          </>
        }
        actions={
          canAdmin ? (
            <LinkButton href={`/networks/${n.id}/edit`} variant="primary">
              <Pencil aria-hidden className="size-3.5" />
              Edit
            </LinkButton>
          ) : undefined
        }
      />

      <div className="grid grid-cols-1 gap-3 xl:grid-cols-3">
        <Card className="xl:col-span-2">
          <CardHeader title="Settings" />
          <CardBody>
            <DescriptionList
              columns={3}
              items={[
                { label: "VLAN", value: n.vlan ?? <span className="text-zinc-500">none</span> },
                { label: "Addressing", value: n.managed ? "Haven IPAM (managed)" : "External DHCP (unmanaged)" },
                { label: "CIDR", value: n.cidr ? <span className="font-mono">{n.cidr}</span> : <span className="text-zinc-500">—</span> },
                { label: "Gateway", value: n.gateway ? <span className="font-mono">{n.gateway}</span> : <span className="text-zinc-500">—</span> },
                { label: "DNS servers", value: n.dns.length ? <span className="font-mono">{n.dns.join(", ")}</span> : <span className="text-zinc-500">—</span> },
                {
                  label: "DHCP pool",
                  value: n.poolStart && n.poolEnd ? <span className="font-mono">{`${n.poolStart} – ${n.poolEnd}`}</span> : <span className="text-zinc-500">—</span>,
                },
                { label: "Created", value: fmtDateTime(n.createdAt) },
              ]}
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="IPAM usage" />
          <CardBody className="space-y-3">
            {n.managed && n.poolSize !== null ? (
              <CapacityBar used={n.leases} total={n.poolSize} label="Pool addresses leased" format={fmtInt} unit="addresses" />
            ) : (
              <p className="text-[12.5px] text-zinc-500">Unmanaged: addresses come from a DHCP server outside Haven.</p>
            )}
            <DescriptionList
              columns={2}
              items={[
                { label: "Leases", value: <span className="tabular">{fmtInt(n.leases)}</span> },
                { label: "Pool size", value: <span className="tabular">{n.poolSize !== null ? fmtInt(n.poolSize) : "—"}</span> },
                { label: "Attached NICs", value: <span className="tabular">{fmtInt(n.vmNics)}</span> },
                {
                  label: "NICs without lease",
                  value: <span className={`tabular ${n.managed && n.nicsWithoutLease > 0 ? "text-amber-700" : ""}`}>{fmtInt(n.nicsWithoutLease)}</span>,
                },
              ]}
            />
          </CardBody>
        </Card>
      </div>

      <Card className="mt-3">
        <CardHeader title="Leases" note="address → VM, in address order" />
        <FilterBar action={path} active={Boolean(query.q)} resetHref={path} keep={{ size: params.size }} label="Search leases">
          <SearchInput value={query.q} placeholder="Address or VM name" />
        </FilterBar>
        {leases.rows.length === 0 ? (
          <EmptyState icon={Network} title={query.q ? "No lease matches" : "No leases"}>
            {query.q ? "Search for another address or VM." : n.managed ? "No VM NIC holds an address from this network yet." : "Unmanaged networks have no Haven leases."}
          </EmptyState>
        ) : (
          <Table label="Leases">
            <THead>
              <tr>
                <Th>Address</Th>
                <Th>VM</Th>
                <Th>Power</Th>
                <Th>NIC</Th>
                <Th>MAC</Th>
                <Th>Kind</Th>
                <Th>Since</Th>
              </tr>
            </THead>
            <tbody>
              {leases.rows.map((l) => (
                <Tr key={l.id}>
                  <Td className="font-mono text-[12.5px]">{l.address}</Td>
                  <Td>
                    <Link href={`/vms/${l.vm.id}`} className={entityLink}>
                      {l.vm.name}
                    </Link>
                  </Td>
                  <Td>
                    <PowerBadge power={l.vm.power} />
                  </Td>
                  <Td className="tabular text-zinc-600">nic{l.nicIndex}</Td>
                  <Td className="font-mono text-[12px] text-zinc-600">{l.mac ?? "—"}</Td>
                  <Td>{l.static ? <Badge tone="violet">static</Badge> : <Badge>pool</Badge>}</Td>
                  <Td className="whitespace-nowrap text-[12px] text-zinc-600">{fmtDateTime(l.createdAt)}</Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pagination pathname={path} params={params} {...leases} noun="leases" sizes={[50, 100, 200]} />
      </Card>
    </>
  );
}
