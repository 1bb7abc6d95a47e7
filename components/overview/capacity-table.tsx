import type { CapacityLine } from "@/lib/server/queries/overview";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { fmtInt, fmtMiB } from "@/components/ui/format";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";

/** vCPU and memory allocated vs the capacity of online hosts, per zone and in total. */
export function CapacityTable({ lines }: { lines: CapacityLine[] }) {
  return (
    <Table label="Capacity per zone">
      <THead>
        <tr>
          <Th>Zone</Th>
          <Th align="right">Hosts online</Th>
          <Th className="w-[30%]">vCPU allocated / online</Th>
          <Th className="w-[30%]">Memory allocated / online</Th>
        </tr>
      </THead>
      <tbody>
        {lines.map((l) => {
          const total = l.zoneRole === "total";
          return (
            <Tr key={`${l.zone}-${l.zoneRole}`} className={total ? "bg-zinc-50/70 font-medium" : undefined}>
              <Td>
                {total ? (
                  <span className="font-semibold">Cluster</span>
                ) : (
                  <span className="flex items-center gap-2">
                    <span className="font-medium">{l.zone ?? "No zone"}</span>
                    {l.zoneRole && <Badge>{l.zoneRole}</Badge>}
                  </span>
                )}
              </Td>
              <Td align="right">
                {fmtInt(l.hostsOnline)} <span className="text-zinc-400">/ {fmtInt(l.hosts)}</span>
              </Td>
              <Td>
                <CapacityBar used={l.vcpusAllocated} total={l.cpusOnline} label={`vCPU allocated in ${l.zone ?? "the cluster"}`} format={fmtInt} unit="vCPU" />
              </Td>
              <Td>
                <CapacityBar used={l.memoryMiBAllocated} total={l.memoryMiBOnline} label={`Memory allocated in ${l.zone ?? "the cluster"}`} format={fmtMiB} />
              </Td>
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}
