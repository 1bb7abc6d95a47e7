import Link from "next/link";
import type { HostVm } from "@/lib/server/queries/hosts";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { PowerBadge, PriorityBadge } from "@/components/ui/status";
import { fmtMiB } from "@/components/ui/format";
import { EmptyState } from "@/components/ui/empty-state";
import { Monitor } from "lucide-react";
import { vmPowerOnHost } from "@/lib/display/host-truth";

/** A VM's power as true for its host: "Unknown" on a silent host (with what it last reported). */
export function HostVmPower({ power, since, hostState }: { power: string; since?: string | null; hostState: string }) {
  const shown = vmPowerOnHost(power, hostState);
  return <PowerBadge power={shown.power} since={shown.lastReported ? null : since} lastReported={shown.lastReported} />;
}

export function HostVmTable({ vms, hostState }: { vms: HostVm[]; hostState: string }) {
  if (vms.length === 0) return <EmptyState icon={Monitor} title="No VMs hold resources on this host" className="py-6" />;
  return (
    <Table label="VMs on this host">
      <THead>
        <tr>
          <Th>VM</Th>
          <Th>Power</Th>
          <Th align="right">vCPU</Th>
          <Th align="right">Memory</Th>
          <Th>HA priority</Th>
          <Th align="right">Devices</Th>
        </tr>
      </THead>
      <tbody>
        {vms.map((v) => (
          <Tr key={v.id}>
            <Td>
              <Link href={`/vms/${v.id}`} className={entityLink}>
                {v.name}
              </Link>
            </Td>
            <Td>
              <HostVmPower power={v.power} since={v.powerSince} hostState={hostState} />
            </Td>
            <Td align="right">{v.vcpus}</Td>
            <Td align="right">{fmtMiB(v.memoryMiB)}</Td>
            <Td>
              <PriorityBadge priority={v.haPriority} />
            </Td>
            <Td align="right">{v.devices || <span className="text-zinc-400">0</span>}</Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
