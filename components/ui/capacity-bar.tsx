import { cn } from "./cn";
import { fmtPct } from "./format";

/** Bar colour by fill: calm below 75 %, amber to 90 %, red above. */
function fillClass(ratio: number): string {
  if (ratio > 0.9) return "bg-red-500";
  if (ratio > 0.75) return "bg-amber-500";
  return "bg-blue-600";
}

/**
 * A capacity bar with its numbers: "36 / 64 vCPU". Exposed as a meter to assistive tech.
 * `over` (> total) shows the bar full and red.
 */
export function CapacityBar({
  used,
  total,
  label,
  format = String,
  unit,
  size = "md",
  showText = true,
  className,
}: {
  used: number;
  total: number;
  label: string;
  format?: (n: number) => string;
  unit?: string;
  size?: "sm" | "md";
  showText?: boolean;
  className?: string;
}) {
  const ratio = total > 0 ? used / total : used > 0 ? 1 : 0;
  const width = Math.min(100, Math.max(used > 0 ? 2 : 0, ratio * 100));
  const text = `${format(used)} / ${format(total)}${unit ? ` ${unit}` : ""}`;
  return (
    <div className={cn("min-w-0", className)}>
      {showText && (
        <div className="mb-0.5 flex items-baseline justify-between gap-2 text-[12px]">
          <span className="tabular truncate text-zinc-700">{text}</span>
          <span className="tabular text-zinc-500">{fmtPct(used, total)}</span>
        </div>
      )}
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={Math.min(used, total)}
        aria-valuetext={`${text} (${fmtPct(used, total)})`}
        title={`${label}: ${text} (${fmtPct(used, total)})`}
        className={cn("w-full overflow-hidden rounded-full bg-zinc-200", size === "sm" ? "h-1.5" : "h-2")}
      >
        <div className={cn("h-full rounded-full", fillClass(ratio))} style={{ width: `${width}%` }} />
      </div>
    </div>
  );
}

/** Slot cells for small unit counts (vGPU slots, VFs): one cell per unit, filled when used. */
export function UnitCells({ used, total, label, max = 16 }: { used: number; total: number; label: string; max?: number }) {
  if (total <= 0) return <span className="text-zinc-400">—</span>;
  if (total > max) return <CapacityBar used={used} total={total} label={label} size="sm" className="w-28" />;
  return (
    <span
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={used}
      aria-valuetext={`${used} of ${total} used`}
      title={`${label}: ${used} of ${total} used`}
      className="inline-flex gap-[3px] align-middle"
    >
      {Array.from({ length: total }, (_, i) => (
        <span key={i} className={cn("h-3 w-2 rounded-[2px]", i < used ? "bg-blue-600" : "bg-zinc-200 ring-1 ring-inset ring-zinc-300")} />
      ))}
    </span>
  );
}
