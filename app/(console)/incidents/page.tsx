import type { Metadata } from "next";
import Link from "next/link";
import { ShieldCheck } from "lucide-react";
import { INCIDENT_KINDS, INCIDENT_STATUSES, listIncidents, parseIncidentListQuery } from "@/lib/server/queries/incidents";
import { listHostNames } from "@/lib/server/queries/hosts";
import { fmtSeconds } from "@/lib/incidents/timeline";
import type { SearchParams } from "@/lib/server/queries/params";
import { requestTime } from "@/lib/server/queries/params";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { FilterBar, FilterSelect } from "@/components/ui/filter-bar";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { IncidentStatusBadge } from "@/components/ui/status";
import { capitalize, fmtDateTime } from "@/components/ui/format";
import { flatParams } from "@/components/ui/url";

export const metadata: Metadata = { title: "Incidents" };

/** "38 s", "2 min 5 s" between two instants. */
function duration(fromIso: string, toIso: string | null, now: number): string {
  const ms = (toIso ? new Date(toIso).getTime() : now) - new Date(fromIso).getTime();
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const query = parseIncidentListQuery(sp);
  const [page, hosts] = await Promise.all([listIncidents(query), listHostNames()]);
  const params = flatParams(sp);
  const now = requestTime();

  return (
    <>
      <PageHeader title="Incidents" description="Host failure episodes, network faults and VM crashes, each with the HA events from detection to the last VM running." />
      <Card>
        <FilterBar action="/incidents" active={Boolean(query.status || query.kind || query.hostId)} resetHref="/incidents" keep={{ size: params.size }} label="Filter incidents">
          <FilterSelect name="status" label="Status" value={query.status} allLabel="Open and closed" options={INCIDENT_STATUSES.map((s) => ({ value: s, label: capitalize(s) }))} />
          <FilterSelect name="kind" label="Kind" value={query.kind} allLabel="Any kind" options={INCIDENT_KINDS.map((k) => ({ value: k, label: k }))} />
          <FilterSelect name="host" label="Host" value={query.hostId} allLabel="Any host" options={hosts.map((h) => ({ value: h.id, label: h.name }))} />
        </FilterBar>
        {page.rows.length === 0 ? (
          <EmptyState icon={ShieldCheck} title={query.status ? `No ${query.status} incidents` : "No incidents"}>
            An incident opens when a host becomes unreachable, a storage network fails or a VM crashes.
          </EmptyState>
        ) : (
          <Table label="Incidents">
            <THead>
              <tr>
                <Th>#</Th>
                <Th>Kind</Th>
                <Th>Host</Th>
                <Th>Summary</Th>
                <Th>Status</Th>
                <Th>Opened</Th>
                <Th>Duration</Th>
                <Th align="right">VMs</Th>
                <Th align="right">Time to recover</Th>
                <Th align="right">Alerts</Th>
              </tr>
            </THead>
            <tbody>
              {page.rows.map((i) => (
                <Tr key={i.id}>
                  <Td className="tabular font-mono text-[12.5px] font-medium">
                    <Link href={`/incidents/${i.id}`} className={entityLink} aria-label={`Incident ${i.seq} timeline`}>
                      #{i.seq}
                    </Link>
                  </Td>
                  <Td>
                    <Badge tone={i.kind === "host-failure" ? "red" : i.kind === "network-fault" ? "amber" : "neutral"}>{i.kind}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap">
                    {i.host ? (
                      <Link href={`/hosts/${i.host.id}`} className={entityLink}>
                        {i.host.name}
                      </Link>
                    ) : (
                      <span className="text-zinc-400">—</span>
                    )}
                  </Td>
                  <Td className="max-w-[32rem]">
                    <Link href={`/incidents/${i.id}`} className="hover:underline">
                      {i.summary ?? <span className="text-zinc-500">Timeline</span>}
                    </Link>
                  </Td>
                  <Td>
                    <IncidentStatusBadge status={i.status} />
                  </Td>
                  <Td className="whitespace-nowrap text-[12px] text-zinc-600">{fmtDateTime(i.openedAt)}</Td>
                  <Td className="tabular whitespace-nowrap text-[12px] text-zinc-600">
                    {duration(i.openedAt, i.closedAt, now)}
                    {!i.closedAt && <span className="text-zinc-400"> (ongoing)</span>}
                  </Td>
                  <Td align="right" className="tabular whitespace-nowrap">
                    {i.vms ? (
                      <span title={`${i.vmsRecovered} running again`}>
                        {i.vmsRecovered} / {i.vms}
                      </span>
                    ) : (
                      <span className="text-zinc-400">0</span>
                    )}
                  </Td>
                  <Td align="right" className="tabular whitespace-nowrap">{i.recoveryS !== null ? fmtSeconds(i.recoveryS) : <span className="text-zinc-400">—</span>}</Td>
                  <Td align="right">{i.alerts}</Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pagination pathname="/incidents" params={params} {...page} noun="incidents" />
      </Card>
    </>
  );
}
