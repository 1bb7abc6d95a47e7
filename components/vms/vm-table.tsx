"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import type { VmRow } from "@/lib/server/queries/vms";
import { DataTable, type ColumnMeta } from "@/components/ui/data-table";
import { HostStateBadge, PowerBadge, PriorityBadge } from "@/components/ui/status";
import { fmtAgo, fmtDateTime, fmtMiB } from "@/components/ui/format";
import { entityLink } from "@/components/ui/table";
import { DeviceList } from "./device-list";

function columns(now: number): ColumnDef<VmRow, unknown>[] {
  return [
    {
      id: "name",
      header: "VM",
      meta: { sortKey: "name" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) => (
        <div className="min-w-0">
          <Link href={`/vms/${v.id}`} className={entityLink}>
            {v.name}
          </Link>
          {v.ips.length > 0 && <div className="truncate font-mono text-[11.5px] text-zinc-500">{v.ips.join(", ")}</div>}
        </div>
      ),
    },
    {
      id: "power",
      header: "Power",
      meta: { sortKey: "power" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) => (
        <div>
          <PowerBadge power={v.power} since={v.powerSince} />
          <div className="mt-0.5 text-[11.5px] text-zinc-500" title={`Since ${fmtDateTime(v.powerSince)}`}>
            {v.desiredPower === "on" && v.power !== "running" ? <span className="text-amber-700">wanted on</span> : <>since {fmtAgo(v.powerSince, now).replace(" ago", "")}</>}
          </div>
        </div>
      ),
    },
    {
      id: "host",
      header: "Host",
      meta: { sortKey: "host" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) =>
        v.host ? (
          <span className="flex items-center gap-2">
            <Link href={`/hosts/${v.host.id}`} className={entityLink}>
              {v.host.name}
            </Link>
            {v.host.state !== "online" && <HostStateBadge state={v.host.state} />}
          </span>
        ) : (
          <span className="text-zinc-400">not placed</span>
        ),
    },
    {
      id: "vcpus",
      header: "vCPU",
      meta: { sortKey: "vcpus", align: "right", firstDir: "desc" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) => v.vcpus,
    },
    {
      id: "memory",
      header: "Memory",
      meta: { sortKey: "memory", align: "right", firstDir: "desc" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) => fmtMiB(v.memoryMiB),
    },
    {
      id: "priority",
      header: "HA priority",
      meta: { sortKey: "priority" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) => <PriorityBadge priority={v.haPriority} />,
    },
    {
      id: "devices",
      header: "Devices",
      meta: { className: "max-w-80" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) => <DeviceList devices={v.devices} />,
    },
    {
      id: "generation",
      header: "Gen.",
      meta: { align: "right" } satisfies ColumnMeta,
      cell: ({ row: { original: v } }) => <span className="text-zinc-600" title="Placement generation">{v.generation}</span>,
    },
  ];
}

export function VmTable({ rows, sort, dir, now, empty }: { rows: VmRow[]; sort: string; dir: "asc" | "desc"; now: number; empty: React.ReactNode }) {
  return <DataTable label="Virtual machines" columns={columns(now)} data={rows} sort={sort} dir={dir} getRowId={(v) => v.id} empty={empty} />;
}
