import Link from "next/link";
import type { Overview } from "@/lib/server/queries/overview";
import { AlertStatusBadge, IncidentStatusBadge, SeverityBadge } from "@/components/ui/status";
import { fmtAgo, fmtDateTime } from "@/components/ui/format";
import { EmptyState } from "@/components/ui/empty-state";
import { alertKindLabel } from "@/lib/display/alert-kind";
import { BellOff, ShieldCheck } from "lucide-react";

export function RecentAlerts({ alerts, now }: { alerts: Overview["recentAlerts"]; now: number }) {
  if (alerts.length === 0) return <EmptyState icon={BellOff} title="No open alerts" className="py-6" />;
  return (
    <ul className="divide-y divide-zinc-100">
      {alerts.map((a) => (
        <li key={a.id} className="flex items-start gap-3 px-4 py-2.5">
          <span className="w-[72px] shrink-0">
            <SeverityBadge severity={a.severity} />
          </span>
          <div className="min-w-0 flex-1">
            <p className="truncate text-[13px] text-zinc-900" title={a.message}>
              {a.message}
            </p>
            <p className="text-[11.5px] text-zinc-500">
              <span title={a.kind}>{alertKindLabel(a.kind)}</span> · {a.entityName} ·{" "}
              <time dateTime={a.raisedAt} title={fmtDateTime(a.raisedAt)}>
                {fmtAgo(a.raisedAt, now)}
              </time>
            </p>
          </div>
          {a.status !== "open" && <AlertStatusBadge status={a.status} />}
        </li>
      ))}
    </ul>
  );
}

export function RecentIncidents({ incidents, now }: { incidents: Overview["recentIncidents"]; now: number }) {
  if (incidents.length === 0) return <EmptyState icon={ShieldCheck} title="No incidents" className="py-6" />;
  return (
    <ul className="divide-y divide-zinc-100">
      {incidents.map((i) => (
        <li key={i.id} className="flex items-start gap-3 px-4 py-2.5">
          <span className="tabular w-10 shrink-0 font-mono text-[12px] text-zinc-500">#{i.seq}</span>
          <div className="min-w-0 flex-1">
            <Link href={`/incidents/${i.id}`} className="block truncate text-[13px] text-zinc-900 hover:underline">
              {i.summary ?? i.kind}
            </Link>
            <p className="text-[11.5px] text-zinc-500">
              {i.kind}
              {i.host ? ` · ${i.host}` : ""} ·{" "}
              <time dateTime={i.openedAt} title={fmtDateTime(i.openedAt)}>
                {fmtAgo(i.openedAt, now)}
              </time>
            </p>
          </div>
          <IncidentStatusBadge status={i.status} />
        </li>
      ))}
    </ul>
  );
}

export function ViewAllLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <Link href={href} className="text-[12px] font-medium text-blue-700 hover:text-blue-900 hover:underline">
      {children}
    </Link>
  );
}
