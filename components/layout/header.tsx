import Link from "next/link";
import { Bell, ShieldCheck, ShieldOff, Shield } from "lucide-react";
import type { ClusterSummary } from "@/lib/server/queries/cluster";
import { cn } from "@/components/ui/cn";
import { fmtInt } from "@/components/ui/format";

function haModeLabel(c: ClusterSummary): { label: string; detail: string; tone: string; Icon: typeof Shield } {
  if (c.haMode === "guarantee") {
    const rf = c.faultTolerance === 2 ? "RF3 / FT2" : "RF2 / FT1";
    return {
      label: `Guarantee · ${rf}`,
      detail: `HA Guarantee mode: capacity reserved for ${c.faultTolerance} host failure${c.faultTolerance === 2 ? "s" : ""} (${c.reservation === "segment" ? "segment-based" : "host"} reservation)`,
      tone: "bg-emerald-50 text-emerald-800 ring-emerald-600/25",
      Icon: ShieldCheck,
    };
  }
  if (c.haMode === "disabled") {
    return { label: "HA disabled", detail: "High availability is disabled: VMs of a failed host are not restarted", tone: "bg-red-50 text-red-800 ring-red-600/25", Icon: ShieldOff };
  }
  return { label: "HA default", detail: "HA default mode: VMs are restarted where resources allow", tone: "bg-blue-50 text-blue-800 ring-blue-600/25", Icon: Shield };
}

/** The top bar: cluster name, HA mode and the open-alert count. */
export function Header({ cluster, alerts }: { cluster: ClusterSummary | null; alerts: { open: number; critical: number; warning: number; info: number } }) {
  const mode = cluster ? haModeLabel(cluster) : null;
  const openAlerts = alerts.open;
  // The colour is the worst open severity: an informational alert (a rebuild that succeeded) is not a warning.
  const tone = alerts.critical > 0 ? "critical" : alerts.warning > 0 ? "warning" : openAlerts > 0 ? "info" : "none";
  const bySeverity = [
    alerts.critical ? `${fmtInt(alerts.critical)} critical` : "",
    alerts.warning ? `${fmtInt(alerts.warning)} warning` : "",
    alerts.info ? `${fmtInt(alerts.info)} info` : "",
  ].filter(Boolean);
  return (
    <header className="flex h-12 shrink-0 items-center justify-between gap-4 border-b border-zinc-200 bg-white px-4 md:px-6">
      <div className="flex min-w-0 items-center gap-3">
        <span className="text-[11.5px] font-medium uppercase tracking-wide text-zinc-500">Cluster</span>
        {cluster ? (
          <>
            <span className="truncate text-[14px] font-semibold text-zinc-900" data-testid="cluster-name">
              {cluster.name}
            </span>
            {mode && (
              <span
                title={mode.detail}
                data-testid="ha-mode"
                className={cn("inline-flex items-center gap-1 whitespace-nowrap rounded px-1.5 py-px text-[11.5px] font-medium leading-[18px] ring-1 ring-inset", mode.tone)}
              >
                <mode.Icon aria-hidden className="size-3.5" />
                {mode.label}
                <span className="sr-only">. {mode.detail}</span>
              </span>
            )}
            {cluster.zones.length > 0 && (
              <span className="hidden truncate text-[12px] text-zinc-500 lg:inline">
                {cluster.zones.map((z) => `${z.name} (${z.role})`).join(" · ")}
              </span>
            )}
          </>
        ) : (
          <span className="text-[13px] text-zinc-500">No cluster imported yet</span>
        )}
      </div>
      <Link
        href={openAlerts > 0 ? "/alerts?status=open" : "/alerts"}
        data-testid="header-alerts"
        data-tone={tone}
        title={bySeverity.length ? bySeverity.join(" · ") : undefined}
        className={cn(
          "inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-md px-2 py-1 text-[12.5px] font-medium",
          tone === "critical" ? "text-red-700 hover:bg-red-50" : tone === "warning" ? "text-amber-700 hover:bg-amber-50" : tone === "info" ? "text-sky-700 hover:bg-sky-50" : "text-zinc-600 hover:bg-zinc-100",
        )}
      >
        <Bell aria-hidden className="size-4" />
        {openAlerts > 0 ? `${fmtInt(openAlerts)} open alert${openAlerts === 1 ? "" : "s"}` : "No open alerts"}
        {bySeverity.length > 1 && <span className="sr-only"> ({bySeverity.join(", ")})</span>}
      </Link>
    </header>
  );
}
