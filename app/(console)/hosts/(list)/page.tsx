import type { Metadata } from "next";
import { Plus, Server } from "lucide-react";
import { HOST_STATES, getHeartbeatTiming, listHostFacets, listHosts, parseHostListQuery } from "@/lib/server/queries/hosts";
import type { SearchParams } from "@/lib/server/queries/params";
import { requestTime } from "@/lib/server/queries/params";
import { Card } from "@/components/ui/card";
import { LinkButton } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { FilterBar, FilterSelect, SearchInput } from "@/components/ui/filter-bar";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { capitalize, fmtInt } from "@/components/ui/format";
import { flatParams } from "@/components/ui/url";
import { HostTable } from "@/components/hosts/host-table";
import { RoleGate } from "@/app/(console)/_loaders/role-gate";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const query = parseHostListQuery(sp);
  const [page, facets, heartbeat] = await Promise.all([listHosts(query), listHostFacets(), getHeartbeatTiming()]);
  const params = flatParams(sp);
  const filtered = Boolean(query.state || query.zone || query.q);
  const totalHosts = Object.values(facets.states).reduce((a, b) => a + b, 0);
  const now = requestTime();

  return (
    <>
      <PageHeader
        title="Hosts"
        description={`${fmtInt(totalHosts)} hypervisor host${totalHosts === 1 ? "" : "s"}: state, capacity, devices and storage health`}
        actions={
          <RoleGate role="admin">
            <LinkButton href="/hosts/new" variant="primary">
              <Plus aria-hidden className="size-3.5" />
              New host
            </LinkButton>
          </RoleGate>
        }
      />
      <Card>
        <FilterBar action="/hosts" active={filtered} resetHref="/hosts" keep={{ sort: params.sort, dir: params.dir, size: params.size }} label="Filter hosts">
          <SearchInput value={query.q} placeholder="Host name" label="Search" />
          <FilterSelect
            name="state"
            label="State"
            value={query.state}
            options={HOST_STATES.map((s) => ({ value: s, label: `${capitalize(s)} (${fmtInt(facets.states[s] ?? 0)})` }))}
            allLabel="All states"
          />
          <FilterSelect name="zone" label="Zone" value={query.zone} options={facets.zones.map((z) => ({ value: z, label: z }))} allLabel="All zones" />
        </FilterBar>
        <HostTable
          rows={page.rows}
          sort={query.sort}
          dir={query.dir}
          now={now}
          heartbeat={heartbeat}
          empty={
            <EmptyState icon={Server} title={filtered ? "No hosts match these filters" : "No hosts yet"}>
              {filtered ? "Clear the filters or search for another name." : "Hosts appear here when their agent registers or a cluster is imported."}
            </EmptyState>
          }
        />
        <Pagination pathname="/hosts" params={params} {...page} noun="hosts" />
      </Card>
    </>
  );
}
