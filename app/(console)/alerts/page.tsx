import type { Metadata } from "next";
import Link from "next/link";
import { BellOff } from "lucide-react";
import { ALERT_SEVERITIES, countAlertsByKind, countAlertsByStatus, listAlerts, parseAlertListQuery } from "@/lib/server/queries/alerts";
import { listHostNames } from "@/lib/server/queries/hosts";
import { ALERT_KINDS } from "@/lib/server/ha/alerts";
import { AlertReviewTable } from "@/components/alerts/alert-review-table";
import { acknowledgeAlertsAction, resolveAlertsAction } from "./actions";
import type { SearchParams } from "@/lib/server/queries/params";
import { requestTime } from "@/lib/server/queries/params";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { FilterBar, FilterSelect, SearchInput } from "@/components/ui/filter-bar";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { cn } from "@/components/ui/cn";
import { capitalize, fmtInt } from "@/components/ui/format";
import { flatParams, hrefWith } from "@/components/ui/url";
import { roleAtLeast } from "@/lib/schemas/auth";
import { getPrincipal } from "@/lib/server/auth/session";

export const metadata: Metadata = { title: "Alerts" };

const TABS = [
  { value: "active", label: "Active" },
  { value: "open", label: "Open" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
] as const;

export default async function AlertsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const query = parseAlertListQuery(sp);
  const [page, counts, kinds, hosts] = await Promise.all([listAlerts(query), countAlertsByStatus(), countAlertsByKind(), listHostNames()]);
  const kindOptions = [...new Set([...ALERT_KINDS, ...Object.keys(kinds)])].sort().map((k) => ({ value: k, label: `${k} (${kinds[k] ?? 0})` }));
  const filtered = Boolean(query.severity || query.q || query.kind || query.hostId || query.vm || query.incidentId);
  const params = flatParams(sp);
  const now = requestTime();
  const countOf = (tab: string) =>
    tab === "active" ? (counts.open ?? 0) + (counts.acknowledged ?? 0) : tab === "all" ? Object.values(counts).reduce((a, b) => a + b, 0) : (counts[tab] ?? 0);

  return (
    <>
      <PageHeader title="Alerts" description="HA alerts, deduplicated per kind and entity; they resolve themselves when their condition clears." />
      <Card>
        <nav aria-label="Alert status" className="flex gap-1 border-b border-zinc-200 px-3 pt-2">
          {TABS.map((t) => {
            const active = query.status === t.value;
            return (
              <Link
                key={t.value}
                href={hrefWith("/alerts", params, { status: t.value === "active" ? undefined : t.value })}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "-mb-px inline-flex items-center gap-1.5 rounded-t border-b-2 px-3 py-1.5 text-[13px]",
                  active ? "border-blue-600 font-medium text-zinc-900" : "border-transparent text-zinc-600 hover:text-zinc-900",
                )}
              >
                {t.label}
                <span className="tabular rounded bg-zinc-100 px-1.5 text-[11px] leading-[18px] text-zinc-600">{fmtInt(countOf(t.value))}</span>
              </Link>
            );
          })}
        </nav>
        <FilterBar
          action="/alerts"
          active={filtered}
          resetHref={hrefWith("/alerts", params, { severity: undefined, q: undefined, kind: undefined, host: undefined, vm: undefined, incident: undefined, page: undefined })}
          keep={{ status: params.status, size: params.size, incident: params.incident }}
          label="Filter alerts"
        >
          <SearchInput value={query.q} placeholder="Message, kind or entity" />
          <FilterSelect name="severity" label="Severity" value={query.severity} allLabel="Any severity" options={ALERT_SEVERITIES.map((s) => ({ value: s, label: capitalize(s) }))} />
          <FilterSelect name="kind" label="Kind" value={query.kind} allLabel="Any kind" options={kindOptions} />
          <FilterSelect name="host" label="Host" value={query.hostId} allLabel="Any host" options={hosts.map((h) => ({ value: h.id, label: h.name }))} />
          <SearchInput name="vm" label="VM" value={query.vm} placeholder="VM name" />
        </FilterBar>
        {query.incidentId && (
          <div className="flex items-center gap-2 border-b border-zinc-200 bg-zinc-50 px-4 py-1.5 text-[12.5px] text-zinc-600">
            Alerts of one incident.
            <Link href={hrefWith("/alerts", params, { incident: undefined })} className="font-medium text-blue-700 hover:underline">
              Show all
            </Link>
          </div>
        )}
        {page.rows.length === 0 ? (
          <EmptyState icon={BellOff} title="No alerts here">
            {query.status === "active" ? "Nothing needs attention right now." : "No alert matches these filters."}
          </EmptyState>
        ) : (
          <AlertReviewTable
            rows={page.rows}
            now={now}
            actions={roleAtLeast((await getPrincipal())?.role, "operator") ? { acknowledge: acknowledgeAlertsAction, resolve: resolveAlertsAction } : null}
          />
        )}
        <Pagination pathname="/alerts" params={params} {...page} noun="alerts" />
      </Card>
    </>
  );
}
