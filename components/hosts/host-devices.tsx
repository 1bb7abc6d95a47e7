import Link from "next/link";
import type { HostGpu, HostNic } from "@/lib/server/queries/hosts";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { LinkBadge, TagChip } from "@/components/ui/status";
import { UnitCells } from "@/components/ui/capacity-bar";
import { EmptyState } from "@/components/ui/empty-state";
import { hostSilent } from "@/lib/display/host-truth";
import { Gpu, Network } from "lucide-react";

/** Links to the VMs holding a device, with their slot / VF numbers. */
export function VmLinks({ vms, unit }: { vms: { id: string; name: string; n: number | null }[]; unit: string }) {
  if (vms.length === 0) return <span className="text-zinc-400">—</span>;
  const shown = vms.slice(0, 6);
  return (
    <span className="flex flex-wrap gap-x-2 gap-y-0.5">
      {shown.map((v, i) => (
        <span key={`${v.id}-${i}`} className="whitespace-nowrap">
          <Link href={`/vms/${v.id}`} className={entityLink}>
            {v.name}
          </Link>
          {v.n !== null && <span className="ml-0.5 text-[11.5px] text-zinc-500">({unit} {v.n})</span>}
        </span>
      ))}
      {vms.length > shown.length && <span className="text-[12px] text-zinc-500">+{vms.length - shown.length} more</span>}
    </span>
  );
}

/** A GPU's used units as cells and "used/slots". */
export function GpuSlotsUsed({ gpu: g }: { gpu: Pick<HostGpu, "name" | "kind" | "used" | "slots"> }) {
  return (
    <span className="flex items-center gap-2 whitespace-nowrap">
      <UnitCells used={g.used} total={g.slots} label={`${g.name} ${g.kind === "vgpu" ? "vGPU slots" : "GPU"} used`} />
      <span className="tabular text-[12px] text-zinc-600">
        {g.used}/{g.slots}
      </span>
    </span>
  );
}

export function GpuKind({ kind, profile }: { kind: "passthrough" | "vgpu"; profile: string | null }) {
  return kind === "vgpu" ? (
    <span className="whitespace-nowrap">
      <Badge tone="sky">vGPU</Badge> <span className="font-mono text-[12px] text-zinc-700">{profile}</span>
    </span>
  ) : (
    <Badge tone="violet">Passthrough</Badge>
  );
}

export function ModeBadge({ mode }: { mode: string }) {
  return mode === "compute" ? <Badge tone="amber">Compute</Badge> : <Badge>Graphics</Badge>;
}

export function HostGpuTable({ gpus }: { gpus: HostGpu[] }) {
  if (gpus.length === 0) return <EmptyState icon={Gpu} title="No GPUs on this host" className="py-6" />;
  return (
    <Table label="GPUs">
      <THead>
        <tr>
          <Th>GPU</Th>
          <Th>Model</Th>
          <Th>PCI address</Th>
          <Th>Mode</Th>
          <Th>Kind</Th>
          <Th>Device tag</Th>
          <Th>Slots used</Th>
          <Th align="right">Free</Th>
          <Th>VMs</Th>
        </tr>
      </THead>
      <tbody>
        {gpus.map((g) => (
          <Tr key={g.id}>
            <Td className="font-medium">{g.name}</Td>
            <Td>{g.model}</Td>
            <Td className="font-mono text-[12px] text-zinc-600">{g.pciAddress}</Td>
            <Td>
              <ModeBadge mode={g.mode} />
            </Td>
            <Td>
              <GpuKind kind={g.kind} profile={g.vgpuProfile} />
            </Td>
            <Td>
              <TagChip type={g.tagType} name={g.tag} />
            </Td>
            <Td>
              <GpuSlotsUsed gpu={g} />
            </Td>
            <Td align="right">{g.free}</Td>
            <Td>
              <VmLinks vms={g.vms.map((v) => ({ id: v.id, name: v.name, n: g.kind === "vgpu" ? v.slot : null }))} unit="slot" />
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}

export function HostNicTable({ nics, hostState }: { nics: HostNic[]; hostState: string }) {
  const silent = hostSilent(hostState);
  if (nics.length === 0) return <EmptyState icon={Network} title="No NICs reported" className="py-6" />;
  return (
    <Table label="NICs">
      <THead>
        <tr>
          <Th>NIC</Th>
          <Th>Role</Th>
          <Th>Bond</Th>
          <Th>Link</Th>
          <Th align="right">Speed</Th>
          <Th>SR-IOV tag</Th>
          <Th>VFs used</Th>
          <Th>VMs</Th>
        </tr>
      </THead>
      <tbody>
        {nics.map((n) => (
          <Tr key={n.id}>
            <Td className="font-mono text-[12.5px] font-medium">{n.name}</Td>
            <Td>
              <Badge tone={n.role === "storage" ? "blue" : n.role === "management" ? "neutral" : "violet"}>{n.role}</Badge>
            </Td>
            <Td className="font-mono text-[12px]">{n.bond ?? <span className="text-zinc-400">—</span>}</Td>
            <Td>
              <LinkBadge up={n.linkUp} unknown={silent} />
            </Td>
            <Td align="right">{n.speedGbps} Gb/s</Td>
            <Td>{n.tag ? <TagChip type="sriov" name={n.tag} /> : n.vfsTotal > 0 ? <span className="text-[12px] text-amber-700">untagged</span> : <span className="text-zinc-400">—</span>}</Td>
            <Td>
              {n.vfsTotal > 0 ? (
                <span className="flex items-center gap-2 whitespace-nowrap">
                  <UnitCells used={n.vfsUsed} total={n.vfsTotal} label={`${n.name} VFs used`} />
                  <span className="tabular text-[12px] text-zinc-600">
                    {n.vfsUsed}/{n.vfsTotal}
                  </span>
                </span>
              ) : (
                <span className="text-zinc-400">no SR-IOV</span>
              )}
            </Td>
            <Td>
              <VmLinks vms={n.vms.map((v) => ({ id: v.id, name: v.name, n: v.vf }))} unit="VF" />
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
