// Table primitives for server-rendered tables (the same look as the client DataTable).
import { cn } from "./cn";

export function Table({ className, children, label }: { className?: string; children: React.ReactNode; label?: string }) {
  return (
    <div className="overflow-x-auto">
      <table aria-label={label} className={cn("w-full border-collapse text-left text-[13px]", className)}>
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: React.ReactNode }) {
  return <thead className="border-b border-zinc-200 bg-zinc-50/80">{children}</thead>;
}

export function Th({
  children,
  className,
  align = "left",
  ...rest
}: React.ThHTMLAttributes<HTMLTableCellElement> & { align?: "left" | "right" | "center" }) {
  return (
    <th
      scope="col"
      className={cn(
        "h-8 whitespace-nowrap px-3 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500 first:pl-4 last:pr-4",
        align === "right" && "text-right",
        align === "center" && "text-center",
        className,
      )}
      {...rest}
    >
      {children}
    </th>
  );
}

export function Tr({ children, className }: { children: React.ReactNode; className?: string }) {
  return <tr className={cn("border-b border-zinc-100 last:border-b-0 hover:bg-zinc-50/70", className)}>{children}</tr>;
}

export function Td({
  children,
  className,
  align = "left",
  ...rest
}: React.TdHTMLAttributes<HTMLTableCellElement> & { align?: "left" | "right" | "center" }) {
  return (
    <td
      className={cn(
        "h-9 px-3 py-1.5 align-middle first:pl-4 last:pr-4",
        align === "right" && "tabular text-right",
        align === "center" && "text-center",
        className,
      )}
      {...rest}
    >
      {children}
    </td>
  );
}

/** The link style of entity names in tables. */
export const entityLink = "font-medium text-blue-700 hover:text-blue-900 hover:underline";
