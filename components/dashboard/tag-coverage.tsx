// Device-tag coverage: per tag, its devices, how many are free, the VMs using it, and whether
// every one of those VMs could be rebuilt on another host (the engine's HA eligibility).
import Link from "next/link";
import { ShieldAlert, ShieldCheck, Tags } from "lucide-react";
import type { TagCoverageRow } from "@/lib/server/queries/dashboard";
import { Badge } from "@/components/ui/badge";
import { DeviceTypeBadge, TagChip } from "@/components/ui/status";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { EmptyState } from "@/components/ui/empty-state";
import { fmtInt } from "@/components/ui/format";

const UNIT: Record<string, [string, string]> = { gpu: ["GPU", "GPUs"], vgpu: ["slot", "slots"], sriov: ["VF", "VFs"] };

export function TagCoverage({ rows }: { rows: TagCoverageRow[] }) {
  if (rows.length === 0) {
    return (
      <EmptyState icon={Tags} title="No device tags yet" className="py-6">
        GPUs tag themselves from their model and profile; SR-IOV tags are set on a host&apos;s NICs.
      </EmptyState>
    );
  }
  return (
    <Table label="Device-tag coverage">
      <THead>
        <tr>
          <Th>Tag</Th>
          <Th>Type</Th>
          <Th align="right">Devices</Th>
          <Th align="right">Free</Th>
          <Th align="right">Hosts</Th>
          <Th align="right">VMs using</Th>
          <Th>Rebuildable elsewhere</Th>
        </tr>
      </THead>
      <tbody>
        {rows.map((r) => (
          <Tr key={`${r.type}:${r.tag}`}>
            <Td className="max-w-[280px]">
              <TagChip type={r.type} name={r.tag} />
            </Td>
            <Td>
              <DeviceTypeBadge type={r.type} />
            </Td>
            <Td align="right">
              {fmtInt(r.devices)} <span className="text-zinc-500">{UNIT[r.type]?.[r.devices === 1 ? 0 : 1]}</span>
            </Td>
            <Td align="right" title={r.freeOnline !== r.free ? `${fmtInt(r.freeOnline)} free on online hosts` : undefined}>
              <span className={r.free === 0 ? "font-medium text-amber-700" : undefined}>{fmtInt(r.free)}</span>
              {r.freeOnline !== r.free && <span className="text-zinc-500"> ({fmtInt(r.freeOnline)} online)</span>}
            </Td>
            <Td align="right">{fmtInt(r.hosts)}</Td>
            <Td align="right">
              {r.vms > 0 ? (
                <Link href={`/vms?tag=${encodeURIComponent(`${r.type}:${r.tag}`)}`} className={entityLink}>
                  {fmtInt(r.vms)}
                </Link>
              ) : (
                <span className="text-zinc-400">0</span>
              )}
            </Td>
            <Td className="min-w-[260px]" data-testid={`coverage-${r.type}-${r.tag}`}>
              {r.vms === 0 ? (
                <span className="text-zinc-400">no VMs</span>
              ) : r.notRebuildableCount === 0 ? (
                <Badge tone="green">
                  <ShieldCheck aria-hidden className="size-3.5" />
                  All {fmtInt(r.vms)}
                </Badge>
              ) : (
                <details className="group">
                  <summary className="cursor-pointer list-none">
                    <Badge tone="amber">
                      <ShieldAlert aria-hidden className="size-3.5" />
                      {fmtInt(r.notRebuildableCount)} of {fmtInt(r.vms)} cannot
                    </Badge>
                    <span className="ml-1.5 text-[12px] text-blue-700 group-open:hidden">why</span>
                  </summary>
                  <ul className="mt-1 space-y-0.5 text-[12px]">
                    {r.notRebuildable.map((v) => (
                      <li key={v.vmId}>
                        <Link href={`/vms/${v.vmId}`} className={entityLink}>
                          {v.vmName}
                        </Link>
                        <span className="text-zinc-600"> — {v.reason}</span>
                      </li>
                    ))}
                    {r.notRebuildableCount > r.notRebuildable.length && (
                      <li className="text-zinc-500">and {fmtInt(r.notRebuildableCount - r.notRebuildable.length)} more</li>
                    )}
                  </ul>
                </details>
              )}
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
