import Link from "next/link";
import type { TagRow } from "@/lib/server/queries/tags";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { DeviceTypeBadge, TagChip } from "@/components/ui/status";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { fmtInt, plural } from "@/components/ui/format";

const UNIT: Record<string, [string, string]> = { gpu: ["GPU", "GPUs"], vgpu: ["slot", "slots"], sriov: ["VF", "VFs"] };
const DEVICE: Record<string, [string, string]> = { gpu: ["GPU", "GPUs"], vgpu: ["GPU", "GPUs"], sriov: ["NIC", "NICs"] };
const HOSTS_SHOWN = 4;

export function TagTable({ tags }: { tags: TagRow[] }) {
  return (
    <Table label="Device tags">
      <THead>
        <tr>
          <Th>Tag</Th>
          <Th>Type</Th>
          <Th>Origin</Th>
          <Th align="right">Devices</Th>
          <Th className="w-[15%] min-w-36">Units used</Th>
          <Th align="right">Free</Th>
          <Th align="right" title="Free units on online hosts: what a placement can use now">
            Free online
          </Th>
          <Th>Hosts</Th>
          <Th align="right">VMs requesting</Th>
        </tr>
      </THead>
      <tbody>
        {tags.map((t) => {
          const [unit, units] = UNIT[t.type] ?? ["unit", "units"];
          const [dev, devs] = DEVICE[t.type] ?? ["device", "devices"];
          return (
            <Tr key={`${t.type}|${t.name}`}>
              <Td className="max-w-96">
                <TagChip type={t.type} name={t.name} />
                {t.description && <div className="mt-0.5 truncate text-[12px] text-zinc-500">{t.description}</div>}
              </Td>
              <Td>
                <DeviceTypeBadge type={t.type} />
              </Td>
              <Td>
                {t.origin === "auto" ? (
                  <Badge title="Derived from the GPU model and vGPU profile">auto</Badge>
                ) : (
                  <Badge tone="blue" title="Set by an admin on SR-IOV NICs">
                    user
                  </Badge>
                )}
              </Td>
              <Td align="right">
                {t.devices > 0 ? (
                  <span className="whitespace-nowrap">
                    {fmtInt(t.devices)} {t.devices === 1 ? dev : devs}
                  </span>
                ) : (
                  <span className="text-zinc-400">none</span>
                )}
              </Td>
              <Td>
                {t.units > 0 ? (
                  <CapacityBar used={t.used} total={t.units} label={`${t.name} ${units} used`} format={fmtInt} unit={units} size="sm" />
                ) : (
                  <span className="text-[12px] text-zinc-500">no {units}</span>
                )}
              </Td>
              <Td align="right">
                <span className={t.units === 0 ? "text-zinc-400" : t.free === 0 ? "text-red-700" : "font-medium"}>{fmtInt(t.free)}</span>
              </Td>
              <Td align="right">
                <span className={t.units === 0 ? "text-zinc-400" : t.freeOnline === 0 ? "text-red-700" : undefined}>{fmtInt(t.freeOnline)}</span>
              </Td>
              <Td>
                {t.hosts.length === 0 ? (
                  <span className="text-zinc-400">—</span>
                ) : (
                  <span className="flex flex-wrap gap-x-2 gap-y-0.5">
                    {t.hosts.slice(0, HOSTS_SHOWN).map((h) => (
                      <Link key={h.id} href={`/hosts/${h.id}`} className={`${entityLink} ${h.state === "online" ? "" : "text-zinc-500"}`} title={h.state}>
                        {h.name}
                      </Link>
                    ))}
                    {t.hosts.length > HOSTS_SHOWN && <span className="text-[12px] text-zinc-500">+{fmtInt(t.hosts.length - HOSTS_SHOWN)} more</span>}
                  </span>
                )}
              </Td>
              <Td align="right">
                {t.requestingVms > 0 ? (
                  <span className="whitespace-nowrap">
                    <Link href={`/vms?tag=${encodeURIComponent(`${t.type}:${t.name}`)}`} className={entityLink} title={`VMs requesting ${t.name}`}>
                      {plural(t.requestingVms, "VM")}
                    </Link>
                    {t.requestedUnits > 0 && (
                      <div className="text-[11.5px] text-amber-700" title="Requested units not allocated (VMs stopped, pending or unplaceable)">
                        {fmtInt(t.requestedUnits)} {t.requestedUnits === 1 ? unit : units} unallocated
                      </div>
                    )}
                  </span>
                ) : (
                  <span className="text-zinc-400">0</span>
                )}
              </Td>
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}
