"use client";
// A headless-table (TanStack Table) renderer for server-paginated, server-sorted lists. Sorting
// is manual: a sortable header is a link that puts `sort`/`dir` into the URL, and the server
// returns the rows in that order. The table state mirrors the URL (`sorting` from props).
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import { cn } from "./cn";
import { hrefWith } from "./url";

export interface ColumnMeta {
  align?: "left" | "right" | "center";
  /** The server's sort key for this column (sortable when set). */
  sortKey?: string;
  /** Sort direction applied on the first click (numbers usually start descending). */
  firstDir?: "asc" | "desc";
  className?: string;
  headerClassName?: string;
}

export function DataTable<T>({
  columns,
  data,
  sort,
  dir,
  label,
  getRowId,
  empty,
}: {
  columns: ColumnDef<T, unknown>[];
  data: T[];
  sort?: string;
  dir?: "asc" | "desc";
  label: string;
  getRowId?: (row: T) => string;
  empty?: React.ReactNode;
}) {
  const pathname = usePathname();
  const sp = useSearchParams();
  const current = Object.fromEntries(sp.entries());
  const sorting: SortingState = sort ? [{ id: sort, desc: dir === "desc" }] : [];
  const table = useReactTable({
    data,
    columns,
    getRowId,
    state: { sorting },
    manualSorting: true,
    manualPagination: true,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
  });

  return (
    <div className="overflow-x-auto">
      <table aria-label={label} className="w-full border-collapse text-left text-[13px]">
        <thead className="border-b border-zinc-200 bg-zinc-50/80">
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const meta = (h.column.columnDef.meta ?? {}) as ColumnMeta;
                const active = meta.sortKey !== undefined && meta.sortKey === sort;
                const nextDir = active ? (dir === "asc" ? "desc" : "asc") : (meta.firstDir ?? "asc");
                const content = h.isPlaceholder ? null : flexRender(h.column.columnDef.header, h.getContext());
                return (
                  <th
                    key={h.id}
                    scope="col"
                    aria-sort={active ? (dir === "desc" ? "descending" : "ascending") : undefined}
                    className={cn(
                      "h-8 whitespace-nowrap px-3 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500 first:pl-4 last:pr-4",
                      meta.align === "right" && "text-right",
                      meta.align === "center" && "text-center",
                      meta.headerClassName,
                    )}
                  >
                    {meta.sortKey ? (
                      <Link
                        href={hrefWith(pathname, current, { sort: meta.sortKey, dir: nextDir })}
                        scroll={false}
                        className={cn(
                          "group inline-flex items-center gap-1 rounded hover:text-zinc-900",
                          active && "text-zinc-900",
                          meta.align === "right" && "flex-row-reverse",
                        )}
                        title={`Sort by ${typeof h.column.columnDef.header === "string" ? h.column.columnDef.header : meta.sortKey} (${nextDir === "asc" ? "ascending" : "descending"})`}
                      >
                        {content}
                        {active ? (
                          dir === "desc" ? (
                            <ArrowDown aria-hidden className="size-3" />
                          ) : (
                            <ArrowUp aria-hidden className="size-3" />
                          )
                        ) : (
                          <ArrowUpDown aria-hidden className="size-3 opacity-0 transition-opacity group-hover:opacity-60 group-focus-visible:opacity-60" />
                        )}
                      </Link>
                    ) : (
                      content
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty ?? <p className="px-4 py-8 text-center text-zinc-500">Nothing to show.</p>}</td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="border-b border-zinc-100 last:border-b-0 hover:bg-zinc-50/70">
                {row.getVisibleCells().map((cell) => {
                  const meta = (cell.column.columnDef.meta ?? {}) as ColumnMeta;
                  return (
                    <td
                      key={cell.id}
                      className={cn(
                        "h-9 px-3 py-1.5 align-middle first:pl-4 last:pr-4",
                        meta.align === "right" && "tabular text-right",
                        meta.align === "center" && "text-center",
                        meta.className,
                      )}
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
