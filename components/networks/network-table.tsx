import Link from "next/link";
import type { NetworkRow } from "@/lib/server/queries/networks";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { fmtInt } from "@/components/ui/format";

const dash = <span className="text-zinc-400">—</span>;

export function ManagedBadge({ managed }: { managed: boolean }) {
  return managed ? (
    <Badge tone="blue" title="Haven assigns addresses from the pool (IPAM)">
      Managed
    </Badge>
  ) : (
    <Badge title="Addresses come from a DHCP server outside Haven">Unmanaged</Badge>
  );
}

export function NetworkTable({ networks, canAdmin }: { networks: NetworkRow[]; canAdmin: boolean }) {
  return (
    <Table label="Networks">
      <THead>
        <tr>
          <Th>Network</Th>
          <Th align="right">VLAN</Th>
          <Th>IPAM</Th>
          <Th>CIDR</Th>
          <Th>Gateway</Th>
          <Th>DNS</Th>
          <Th>DHCP pool</Th>
          <Th className="w-[16%] min-w-40">Leases / pool</Th>
          <Th align="right">VM NICs</Th>
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </tr>
      </THead>
      <tbody>
        {networks.map((n) => (
          <Tr key={n.id}>
            <Td>
              <Link href={`/networks/${n.id}`} className={entityLink}>
                {n.name}
              </Link>
            </Td>
            <Td align="right">{n.vlan ?? dash}</Td>
            <Td>
              <ManagedBadge managed={n.managed} />
            </Td>
            <Td className="font-mono text-[12.5px]">{n.cidr ?? dash}</Td>
            <Td className="font-mono text-[12.5px]">{n.gateway ?? dash}</Td>
            <Td className="font-mono text-[12px]">{n.dns.length ? n.dns.join(", ") : dash}</Td>
            <Td className="whitespace-nowrap font-mono text-[12px]">{n.poolStart && n.poolEnd ? `${n.poolStart} – ${n.poolEnd}` : dash}</Td>
            <Td>
              {n.managed && n.poolSize !== null ? (
                <CapacityBar used={n.leases} total={n.poolSize} label={`${n.name} pool used`} format={fmtInt} size="sm" />
              ) : n.leases > 0 ? (
                <span className="tabular">{fmtInt(n.leases)} leases</span>
              ) : (
                <span className="text-[12px] text-zinc-500">external DHCP</span>
              )}
            </Td>
            <Td align="right">{fmtInt(n.vmNics)}</Td>
            <Td align="right">
              {canAdmin && (
                <Link href={`/networks/${n.id}/edit`} className="text-[12px] font-medium text-blue-700 hover:underline">
                  Edit<span className="sr-only"> {n.name}</span>
                </Link>
              )}
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
