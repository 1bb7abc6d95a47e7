import Link from "next/link";
import { cn } from "@/components/ui/cn";
import { fmtInt } from "@/components/ui/format";

/** A headline number with a link to the list behind it and a breakdown underneath. */
export function StatCard({
  title,
  value,
  href,
  icon: Icon,
  sub,
  children,
  accent,
}: {
  title: string;
  value: number | string;
  href: string;
  icon: React.ComponentType<{ className?: string; "aria-hidden"?: boolean }>;
  sub?: React.ReactNode;
  children?: React.ReactNode;
  accent?: "red" | "amber";
}) {
  return (
    <section className="flex flex-col rounded-md border border-zinc-200 bg-white p-4 shadow-[0_1px_2px_rgba(0,0,0,0.04)]" aria-label={title}>
      <div className="flex items-center justify-between">
        <h2 className="text-[12px] font-medium uppercase tracking-wide text-zinc-500">
          <Link href={href} className="hover:text-zinc-900 hover:underline">
            {title}
          </Link>
        </h2>
        <Icon aria-hidden className="size-4 text-zinc-400" />
      </div>
      <p
        className={cn(
          "tabular mt-1.5 text-[26px] font-semibold leading-8 tracking-tight",
          accent === "red" ? "text-red-700" : accent === "amber" ? "text-amber-700" : "text-zinc-900",
        )}
      >
        {typeof value === "number" ? fmtInt(value) : value}
      </p>
      {sub && <p className="text-[12px] text-zinc-500">{sub}</p>}
      {children && <div className="mt-3 border-t border-zinc-100 pt-2.5">{children}</div>}
    </section>
  );
}

/** A row of labelled counts (each a link to the filtered list). */
export function Breakdown({ items }: { items: { label: string; value: number; href: string; dot: string }[] }) {
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1">
      {items.map((i) => (
        <li key={i.label}>
          <Link href={i.href} className="group inline-flex items-center gap-1.5 text-[12px] text-zinc-600 hover:text-zinc-900">
            <span aria-hidden className={cn("size-2 rounded-full", i.dot)} />
            <span className="group-hover:underline">{i.label}</span>
            <span className="tabular font-semibold text-zinc-900">{fmtInt(i.value)}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
