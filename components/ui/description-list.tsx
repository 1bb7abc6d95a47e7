import { cn } from "./cn";

/** Key/value pairs in a responsive grid (a <dl>). */
export function DescriptionList({ items, className, columns = 2 }: { items: { label: string; value: React.ReactNode }[]; className?: string; columns?: 1 | 2 | 3 }) {
  return (
    <dl
      className={cn(
        "grid gap-x-6 gap-y-2.5",
        columns === 1 && "grid-cols-1",
        columns === 2 && "grid-cols-1 sm:grid-cols-2",
        columns === 3 && "grid-cols-1 sm:grid-cols-2 lg:grid-cols-3",
        className,
      )}
    >
      {items.map((it) => (
        <div key={it.label} className="min-w-0">
          <dt className="text-[11.5px] font-medium uppercase tracking-wide text-zinc-500">{it.label}</dt>
          <dd className="mt-0.5 min-w-0 break-words text-[13px] text-zinc-900">{it.value}</dd>
        </div>
      ))}
    </dl>
  );
}
