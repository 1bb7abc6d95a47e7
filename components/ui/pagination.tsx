import Link from "next/link";
import { ChevronLeft, ChevronRight, ChevronsLeft, ChevronsRight } from "lucide-react";
import { cn } from "./cn";
import { fmtInt } from "./format";
import { hrefWith, type QueryValues } from "./url";

const SIZES = [25, 50, 100, 200];

/** "1–50 of 20,000" with first/prev/next/last links and page-size links; all plain links. */
export function Pagination({
  pathname,
  params,
  page,
  pageSize,
  total,
  pageCount,
  noun = "items",
  sizes = SIZES,
}: {
  pathname: string;
  params: QueryValues;
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
  noun?: string;
  sizes?: number[];
}) {
  const from = total === 0 ? 0 : Math.min(total, (page - 1) * pageSize + 1);
  const to = Math.min(total, page * pageSize);
  const link = (p: number) => hrefWith(pathname, params, { page: String(p) });
  const nav = (p: number, label: string, Icon: typeof ChevronLeft, disabled: boolean) =>
    disabled ? (
      <span aria-disabled className="inline-flex size-7 items-center justify-center rounded text-zinc-300">
        <Icon aria-hidden className="size-4" />
        <span className="sr-only">{label}</span>
      </span>
    ) : (
      <Link href={link(p)} className="inline-flex size-7 items-center justify-center rounded text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900" aria-label={label}>
        <Icon aria-hidden className="size-4" />
      </Link>
    );
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 border-t border-zinc-200 px-4 py-2 text-[12px] text-zinc-600">
      <p className="tabular">
        {total === 0 ? (
          <>No {noun}</>
        ) : (
          <>
            <span className="font-medium text-zinc-900">{fmtInt(from)}</span>–<span className="font-medium text-zinc-900">{fmtInt(to)}</span> of{" "}
            <span className="font-medium text-zinc-900">{fmtInt(total)}</span> {noun}
          </>
        )}
      </p>
      <div className="flex items-center gap-4">
        <div className="hidden items-center gap-1 sm:flex">
          <span>Rows</span>
          {sizes.map((s) =>
            s === pageSize ? (
              <span key={s} aria-current="true" className="rounded bg-zinc-200 px-1.5 py-0.5 font-medium text-zinc-900">
                {s}
              </span>
            ) : (
              <Link key={s} href={hrefWith(pathname, params, { size: String(s) })} className="rounded px-1.5 py-0.5 hover:bg-zinc-100 hover:text-zinc-900">
                {s}
              </Link>
            ),
          )}
        </div>
        <div className="flex items-center gap-0.5">
          {nav(1, "First page", ChevronsLeft, page <= 1)}
          {nav(page - 1, "Previous page", ChevronLeft, page <= 1)}
          <span className={cn("tabular px-2")}>
            Page {fmtInt(Math.min(page, pageCount))} of {fmtInt(pageCount)}
          </span>
          {nav(page + 1, "Next page", ChevronRight, page >= pageCount)}
          {nav(pageCount, "Last page", ChevronsRight, page >= pageCount)}
        </div>
      </div>
    </nav>
  );
}
