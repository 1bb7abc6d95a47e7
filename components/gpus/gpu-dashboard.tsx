// GPU dashboard sections: GPUs grouped by model, mode and profile; each GPU's slots with the VM
// in each (a slot grid); passthrough assignments.
import Link from "next/link";
import { Gpu } from "lucide-react";
import type { GpuDashboard, GpuGroup } from "@/lib/server/queries/gpu-dashboard";
import { Badge } from "@/components/ui/badge";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { EmptyState } from "@/components/ui/empty-state";
import { HostStateBadge, PowerBadge, TagChip } from "@/components/ui/status";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { fmtInt } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

const MAX_TILES = 48;

function groupLabel(g: GpuGroup): string {
  return `${g.model} · ${g.mode}${g.profile ? ` · ${g.profile}` : " · passthrough"}`;
}

export function GpuGroupsTable({ groups }: { groups: GpuGroup[] }) {
  if (groups.length === 0) return <EmptyState icon={Gpu} title="No GPUs yet">GPUs appear when a host agent reports them or an admin adds them to a host.</EmptyState>;
  return (
    <Table label="GPUs by model, mode and profile">
      <THead>
        <tr>
          <Th>Model</Th>
          <Th>Mode</Th>
          <Th>Profile</Th>
          <Th>Device tag</Th>
          <Th align="right">GPUs</Th>
          <Th className="w-[220px]">Units used</Th>
          <Th align="right">VMs</Th>
        </tr>
      </THead>
      <tbody>
        {groups.map((g) => (
          <Tr key={g.key}>
            <Td className="font-medium text-zinc-900">
              <a href={`#group-${cssId(g.key)}`} className={entityLink}>
                {g.model}
              </a>
            </Td>
            <Td>
              <Badge tone={g.mode === "compute" ? "violet" : "neutral"}>{g.mode}</Badge>
            </Td>
            <Td>{g.profile ? <span className="font-mono text-[12px]">{g.profile}</span> : <span className="text-zinc-500">passthrough</span>}</Td>
            <Td className="max-w-[260px]">
              <TagChip type={g.tagType} name={g.tag} />
            </Td>
            <Td align="right">{fmtInt(g.gpus.length)}</Td>
            <Td>
              <CapacityBar used={g.used} total={g.units} label={`${groupLabel(g)}: ${g.profile ? "vGPU slots" : "GPUs"} used`} unit={g.profile ? (g.units === 1 ? "slot" : "slots") : g.units === 1 ? "GPU" : "GPUs"} size="sm" />
            </Td>
            <Td align="right">{fmtInt(g.vms)}</Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}

function cssId(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]+/g, "-");
}

/** Slot occupancy: one tile per GPU, one cell per slot (or the whole GPU), with the VM in it. */
export function SlotGrid({ groups }: { groups: GpuGroup[] }) {
  if (groups.length === 0) return null;
  return (
    <div className="divide-y divide-zinc-100">
      {groups.map((g) => (
        <section key={g.key} id={`group-${cssId(g.key)}`} aria-label={groupLabel(g)} className="px-4 py-3">
          <h3 className="mb-2 flex flex-wrap items-center gap-2 text-[12.5px] font-semibold text-zinc-800">
            {g.model}
            <Badge tone={g.mode === "compute" ? "violet" : "neutral"}>{g.mode}</Badge>
            {g.profile ? <Badge tone="sky">{g.profile}</Badge> : <Badge tone="violet">passthrough</Badge>}
            <span className="font-normal text-zinc-500">
              {fmtInt(g.used)} of {fmtInt(g.units)} {g.profile ? (g.units === 1 ? "slot" : "slots") : g.units === 1 ? "GPU" : "GPUs"} used
            </span>
          </h3>
          <ul className="grid grid-cols-1 gap-2 sm:grid-cols-2 xl:grid-cols-3 2xl:grid-cols-4">
            {g.gpus.slice(0, MAX_TILES).map((t) => (
              <li key={t.id} className="rounded-md border border-zinc-200 bg-white" data-testid={`gpu-tile-${t.name}`}>
                <div className="flex items-center justify-between gap-2 border-b border-zinc-100 px-2.5 py-1.5">
                  <span className="min-w-0 truncate text-[12.5px] font-medium text-zinc-900" title={`${t.name} · ${t.pciAddress}`}>
                    {t.name}
                  </span>
                  <span className="flex shrink-0 items-center gap-1.5 text-[11.5px]">
                    <Link href={`/hosts/${t.host.id}`} className={entityLink}>
                      {t.host.name}
                    </Link>
                    {t.host.state !== "online" && <HostStateBadge state={t.host.state} />}
                  </span>
                </div>
                <ol className={cn("grid gap-1 p-2", t.slots.length > 1 ? "grid-cols-2" : "grid-cols-1")} aria-label={`${t.name} slots`}>
                  {t.slots.map((s) => (
                    <li
                      key={s.slot}
                      className={cn(
                        "flex min-w-0 items-center gap-1.5 rounded px-1.5 py-1 text-[11.5px]",
                        s.vm ? "bg-blue-50 text-blue-900 ring-1 ring-inset ring-blue-200" : "border border-dashed border-zinc-300 bg-zinc-50 text-zinc-400",
                      )}
                    >
                      {t.slots.length > 1 && <span className="tabular w-4 shrink-0 text-[10.5px] text-zinc-400">{s.slot}</span>}
                      {s.vm ? (
                        <Link href={`/vms/${s.vm.id}`} className="min-w-0 truncate font-medium hover:underline" title={`${s.vm.name} (${s.vm.power})`}>
                          {s.vm.name}
                        </Link>
                      ) : (
                        <span>free</span>
                      )}
                    </li>
                  ))}
                </ol>
              </li>
            ))}
          </ul>
          {g.gpus.length > MAX_TILES && (
            <p className="mt-2 text-[12px] text-zinc-500">
              and {fmtInt(g.gpus.length - MAX_TILES)} more GPUs —{" "}
              <Link href={`/gpus?model=${encodeURIComponent(g.model)}&mode=${g.mode}&kind=${g.profile ? "vgpu" : "passthrough"}`} className={entityLink}>
                see them in the GPU list
              </Link>
            </p>
          )}
        </section>
      ))}
    </div>
  );
}

export function PassthroughTable({ rows }: { rows: GpuDashboard["passthrough"] }) {
  if (rows.length === 0) return <EmptyState icon={Gpu} title="No passthrough GPU is assigned" className="py-6" />;
  return (
    <Table label="Passthrough assignments">
      <THead>
        <tr>
          <Th>GPU</Th>
          <Th>Model</Th>
          <Th>Host</Th>
          <Th>VM</Th>
          <Th>Power</Th>
          <Th>Assigned</Th>
        </tr>
      </THead>
      <tbody>
        {rows.map((r) => (
          <Tr key={`${r.gpu.id}:${r.vm.id}`}>
            <Td className="font-medium">{r.gpu.name}</Td>
            <Td>
              {r.gpu.model}
              {r.gpu.mode === "compute" && <span className="text-zinc-500"> (compute)</span>}
            </Td>
            <Td>
              <Link href={`/hosts/${r.host.id}`} className={entityLink}>
                {r.host.name}
              </Link>
            </Td>
            <Td>
              <Link href={`/vms/${r.vm.id}`} className={entityLink}>
                {r.vm.name}
              </Link>
            </Td>
            <Td>
              <PowerBadge power={r.vm.power} />
            </Td>
            <Td className="text-zinc-600">{r.vm.byName ? "named by the VM (pinned)" : "by tag"}</Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
