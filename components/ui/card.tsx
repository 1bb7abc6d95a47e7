import { cn } from "./cn";

export function Card({ className, children, ...rest }: React.HTMLAttributes<HTMLElement> & { children: React.ReactNode }) {
  return (
    <section className={cn("rounded-md border border-zinc-200 bg-white shadow-[0_1px_2px_rgba(0,0,0,0.04)]", className)} {...rest}>
      {children}
    </section>
  );
}

/** Card title bar: a heading (h2 by default), an optional note and actions on the right. */
export function CardHeader({
  title,
  note,
  actions,
  as: H = "h2",
  id,
}: {
  title: React.ReactNode;
  note?: React.ReactNode;
  actions?: React.ReactNode;
  as?: "h2" | "h3";
  id?: string;
}) {
  return (
    <div className="flex min-h-10 items-center justify-between gap-3 border-b border-zinc-200 px-4 py-2">
      <div className="flex min-w-0 items-baseline gap-2">
        <H id={id} className="truncate text-[13px] font-semibold text-zinc-900">
          {title}
        </H>
        {note && <span className="truncate text-[12px] text-zinc-500">{note}</span>}
      </div>
      {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
    </div>
  );
}

export function CardBody({ className, children }: { className?: string; children: React.ReactNode }) {
  return <div className={cn("px-4 py-3", className)}>{children}</div>;
}
