"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import type { GpuRow } from "@/lib/server/queries/gpus";
import { DataTable, type ColumnMeta } from "@/components/ui/data-table";
import { HostStateBadge, TagChip } from "@/components/ui/status";
import { entityLink } from "@/components/ui/table";
import { GpuKind, GpuSlotsUsed, ModeBadge, VmLinks } from "@/components/hosts/host-devices";

const columns: ColumnDef<GpuRow, unknown>[] = [
  {
    id: "host",
    header: "Host",
    meta: { sortKey: "host" } satisfies ColumnMeta,
    cell: ({ row: { original: g } }) => (
      <div className="whitespace-nowrap">
        <Link href={`/hosts/${g.host.id}`} className={entityLink}>
          {g.host.name}
        </Link>
        {g.host.state !== "online" && (
          <div className="mt-0.5">
            <HostStateBadge state={g.host.state} />
          </div>
        )}
      </div>
    ),
  },
  {
    id: "name",
    header: "GPU",
    meta: { sortKey: "name" } satisfies ColumnMeta,
    cell: ({ row: { original: g } }) => (
      <div className="whitespace-nowrap">
        <div className="font-medium">{g.name}</div>
        <div className="font-mono text-[11.5px] text-zinc-500">{g.pciAddress}</div>
      </div>
    ),
  },
  {
    id: "model",
    header: "Model / mode",
    meta: { sortKey: "model" } satisfies ColumnMeta,
    cell: ({ row: { original: g } }) => (
      <div className="whitespace-nowrap">
        <div>{g.model}</div>
        <div className="mt-0.5">
          <ModeBadge mode={g.mode} />
        </div>
      </div>
    ),
  },
  {
    id: "kind",
    header: "Passthrough / vGPU",
    cell: ({ row: { original: g } }) => <GpuKind kind={g.kind} profile={g.vgpuProfile} />,
  },
  {
    id: "slots",
    header: "Slots used",
    cell: ({ row: { original: g } }) => <GpuSlotsUsed gpu={g} />,
  },
  {
    id: "free",
    header: "Free",
    meta: { align: "right" } satisfies ColumnMeta,
    cell: ({ row: { original: g } }) => <span className={g.free === 0 ? "text-zinc-400" : "font-medium"}>{g.free}</span>,
  },
  {
    id: "vms",
    header: "Used by",
    cell: ({ row: { original: g } }) => <VmLinks vms={g.vms.map((v) => ({ id: v.id, name: v.name, n: g.kind === "vgpu" ? v.slot : null }))} unit="slot" />,
  },
  {
    id: "tag",
    header: "Device tag",
    meta: { className: "max-w-72" } satisfies ColumnMeta,
    cell: ({ row: { original: g } }) => (
      <Link href={`/tags?type=${g.tagType}&q=${encodeURIComponent(g.tag)}`} className="hover:opacity-80" title="Open in device tags">
        <TagChip type={g.tagType} name={g.tag} />
      </Link>
    ),
  },
];

export function GpuTable({ rows, sort, dir, empty }: { rows: GpuRow[]; sort: string; dir: "asc" | "desc"; empty: React.ReactNode }) {
  return <DataTable label="GPUs" columns={columns} data={rows} sort={sort} dir={dir} getRowId={(g) => g.id} empty={empty} />;
}
