import type { Metadata } from "next";
import Link from "next/link";
import { BellOff } from "lucide-react";
import { ALERT_SEVERITIES, countAlertsByStatus, listAlerts, parseAlertListQuery } from "@/lib/server/queries/alerts";
import type { SearchParams } from "@/lib/server/queries/params";
import { requestTime } from "@/lib/server/queries/params";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { FilterBar, FilterSelect, SearchInput } from "@/components/ui/filter-bar";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { AlertStatusBadge, SeverityBadge } from "@/components/ui/status";
import { cn } from "@/components/ui/cn";
import { capitalize, fmtAgo, fmtDateTime, fmtInt } from "@/components/ui/format";
import { flatParams, hrefWith } from "@/components/ui/url";

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
  const [page, counts] = await Promise.all([listAlerts(query), countAlertsByStatus()]);
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
        <FilterBar action="/alerts" active={Boolean(query.severity || query.q)} resetHref={hrefWith("/alerts", params, { severity: undefined, q: undefined })} keep={{ status: params.status, size: params.size }} label="Filter alerts">
          <SearchInput value={query.q} placeholder="Message, kind or entity" />
          <FilterSelect name="severity" label="Severity" value={query.severity} allLabel="Any severity" options={ALERT_SEVERITIES.map((s) => ({ value: s, label: capitalize(s) }))} />
        </FilterBar>
        {page.rows.length === 0 ? (
          <EmptyState icon={BellOff} title="No alerts here">
            {query.status === "active" ? "Nothing needs attention right now." : "No alert matches these filters."}
          </EmptyState>
        ) : (
          <Table label="Alerts">
            <THead>
              <tr>
                <Th>Severity</Th>
                <Th>Alert</Th>
                <Th>Entity</Th>
                <Th>Status</Th>
                <Th>Raised</Th>
                <Th>Last seen</Th>
                <Th align="right">Count</Th>
                <Th>Incident</Th>
              </tr>
            </THead>
            <tbody>
              {page.rows.map((a) => {
                const href = a.vmId ? `/vms/${a.vmId}` : a.hostId && a.entityType === "host" ? `/hosts/${a.hostId}` : null;
                return (
                  <Tr key={a.id}>
                    <Td>
                      <SeverityBadge severity={a.severity} />
                    </Td>
                    <Td className="max-w-[36rem]">
                      <div className="text-zinc-900">{a.message}</div>
                      <div className="font-mono text-[11.5px] text-zinc-500">{a.kind}</div>
                    </Td>
                    <Td className="whitespace-nowrap">
                      <span className="mr-1 text-[11.5px] text-zinc-500">{a.entityType}</span>
                      {href ? (
                        <Link href={href} className={entityLink}>
                          {a.entityName}
                        </Link>
                      ) : (
                        a.entityName
                      )}
                    </Td>
                    <Td>
                      <AlertStatusBadge status={a.status} />
                      {a.status === "acknowledged" && a.ackBy && <div className="mt-0.5 text-[11.5px] text-zinc-500">by {a.ackBy}</div>}
                      {a.status === "resolved" && a.resolvedBy && <div className="mt-0.5 text-[11.5px] text-zinc-500">{a.resolvedBy === "auto" ? "auto-resolved" : `by ${a.resolvedBy}`}</div>}
                    </Td>
                    <Td className="whitespace-nowrap text-[12px] text-zinc-600">
                      <time dateTime={a.raisedAt} title={fmtDateTime(a.raisedAt)}>
                        {fmtAgo(a.raisedAt, now)}
                      </time>
                    </Td>
                    <Td className="whitespace-nowrap text-[12px] text-zinc-600">
                      <time dateTime={a.lastSeenAt} title={fmtDateTime(a.lastSeenAt)}>
                        {fmtAgo(a.lastSeenAt, now)}
                      </time>
                    </Td>
                    <Td align="right">{a.count}</Td>
                    <Td className="tabular">{a.incident ? <span className="font-mono text-[12px]">#{a.incident.seq}</span> : <span className="text-zinc-400">—</span>}</Td>
                  </Tr>
                );
              })}
            </tbody>
          </Table>
        )}
        <Pagination pathname="/alerts" params={params} {...page} noun="alerts" />
      </Card>
    </>
  );
}
