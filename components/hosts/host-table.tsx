"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import type { HostRow } from "@/lib/server/queries/hosts";
import { DataTable, type ColumnMeta } from "@/components/ui/data-table";
import { HostStateBadge } from "@/components/ui/status";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { fmtAgo, fmtDateTime, fmtInt, fmtMiB } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { heartbeatLine, type HeartbeatTiming } from "@/lib/display/host-truth";
import { entityLink } from "@/components/ui/table";
import { StorageHealth } from "./storage-health";
import { SimulatedBadge } from "./simulated-badge";

function columns(now: number, heartbeat: HeartbeatTiming): ColumnDef<HostRow, unknown>[] {
  return [
    {
      id: "name",
      header: "Host",
      meta: { sortKey: "name" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) => (
        <div className="min-w-0">
          <span className="flex items-center gap-1.5">
            <Link href={`/hosts/${h.id}`} className={entityLink}>
              {h.name}
            </Link>
            <SimulatedBadge simulated={h.simulated} />
          </span>
          {h.address && <div className="font-mono text-[11.5px] text-zinc-500">{h.address}</div>}
        </div>
      ),
    },
    {
      id: "state",
      header: "State",
      meta: { sortKey: "state" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) => (
        <div>
          <HostStateBadge state={h.state} />
          <div className="mt-0.5 text-[11.5px] text-zinc-500" title={`Since ${fmtDateTime(h.stateSince)}`}>
            since {fmtAgo(h.stateSince, now).replace(" ago", "")}
          </div>
        </div>
      ),
    },
    {
      id: "zone",
      header: "Zone",
      meta: { sortKey: "zone" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) => h.zone ?? <span className="text-zinc-400">—</span>,
    },
    {
      id: "cpus",
      header: "vCPU",
      meta: { sortKey: "cpus", firstDir: "desc", className: "w-[15%] min-w-36" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) => <CapacityBar used={h.vcpusAllocated} total={h.cpus} label={`vCPU allocated on ${h.name}`} format={fmtInt} size="sm" />,
    },
    {
      id: "memory",
      header: "Memory",
      meta: { sortKey: "memory", firstDir: "desc", className: "w-[15%] min-w-36" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) => <CapacityBar used={h.memoryMiBAllocated} total={h.memoryMiB} label={`Memory allocated on ${h.name}`} format={fmtMiB} size="sm" />,
    },
    {
      id: "devices",
      header: "Devices",
      meta: { className: "w-[13%] min-w-32" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) =>
        h.deviceUnits > 0 ? (
          <div>
            <CapacityBar used={h.deviceUnitsUsed} total={h.deviceUnits} label={`Device units used on ${h.name}`} format={fmtInt} size="sm" />
          </div>
        ) : (
          <span className="text-zinc-400">none</span>
        ),
    },
    {
      id: "gpus",
      header: "GPUs",
      meta: { align: "right" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) => (h.gpuCount ? fmtInt(h.gpuCount) : <span className="text-zinc-400">0</span>),
    },
    {
      id: "vms",
      header: "VMs",
      meta: { sortKey: "vms", align: "right", firstDir: "desc" } satisfies ColumnMeta,
      cell: ({ row: { original: h } }) =>
        h.vmCount > 0 ? (
          <Link href={`/vms?host=${encodeURIComponent(h.name)}`} className="tabular text-blue-700 hover:underline" title={`VMs on ${h.name}`}>
            {fmtInt(h.vmCount)}
          </Link>
        ) : (
          <span className="text-zinc-400">0</span>
        ),
    },
    {
      id: "storage",
      header: "Storage",
      cell: ({ row: { original: h } }) => (
        <StorageHealth hostState={h.state} present={h.storageControllerPresent} healthy={h.storageControllerHealthy} nics={h.storageNics} nicsDown={h.storageNicsDown} />
      ),
    },
    {
      id: "heartbeat",
      header: "Heartbeat",
      cell: ({ row: { original: h } }) => {
        const hb = heartbeatLine(h.state, h.lastHeartbeatAt, now, heartbeat);
        return (
          <time dateTime={h.lastHeartbeatAt ?? undefined} title={`${hb.text}; last recorded ${fmtDateTime(h.lastHeartbeatAt)}`} className={cn("whitespace-nowrap text-[12px]", hb.tone === "late" ? "text-amber-800" : "text-zinc-600")}>
            {hb.short}
          </time>
        );
      },
    },
  ];
}

export function HostTable({ rows, sort, dir, now, heartbeat, empty }: { rows: HostRow[]; sort: string; dir: "asc" | "desc"; now: number; heartbeat: HeartbeatTiming; empty: React.ReactNode }) {
  return <DataTable label="Hosts" columns={columns(now, heartbeat)} data={rows} sort={sort} dir={dir} getRowId={(h) => h.id} empty={empty} />;
}
