import type { Metadata } from "next";
import Link from "next/link";
import { Monitor, Plus, X } from "lucide-react";
import { HA_PRIORITIES, listVmFacets, listVms, NO_HOST, parseVmListQuery, VM_POWERS } from "@/lib/server/queries/vms";
import { listHostNames } from "@/lib/server/queries/hosts";
import type { SearchParams } from "@/lib/server/queries/params";
import { requestTime } from "@/lib/server/queries/params";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { LinkButton } from "@/components/ui/button";
import { FilterBar, FilterSelect, SearchInput } from "@/components/ui/filter-bar";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { TagChip } from "@/components/ui/status";
import { capitalize, fmtInt } from "@/components/ui/format";
import { flatParams, hrefWith } from "@/components/ui/url";
import { VmTable } from "@/components/vms/vm-table";
import { RoleGate } from "@/app/(console)/_loaders/role-gate";

export const metadata: Metadata = { title: "VMs" };

export default async function VmsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const query = parseVmListQuery(sp);
  const [page, facets, hosts] = await Promise.all([listVms(query), listVmFacets(), listHostNames()]);
  const params = flatParams(sp);
  const filtered = Boolean(query.host || query.power || query.priority || query.devices || query.tag || query.q);
  const totalVms = Object.values(facets.power).reduce((a, b) => a + b, 0);
  const now = requestTime();

  return (
    <>
      <PageHeader
        title="Virtual machines"
        description={`${fmtInt(totalVms)} VMs · ${fmtInt(facets.power.running ?? 0)} running`}
        actions={
          <RoleGate role="admin">
            <LinkButton href="/vms/new" variant="primary">
              <Plus aria-hidden className="size-3.5" />
              New VM
            </LinkButton>
          </RoleGate>
        }
      />
      <Card>
        <FilterBar
          action="/vms"
          active={filtered}
          resetHref="/vms"
          keep={{ sort: params.sort, dir: params.dir, size: params.size, tag: params.tag }}
          label="Filter VMs"
        >
          <SearchInput value={query.q} placeholder="VM name" />
          <FilterSelect
            name="host"
            label="Host"
            value={query.host}
            allLabel="All hosts"
            options={[{ value: NO_HOST, label: "Not placed" }, ...hosts.map((h) => ({ value: h.name, label: h.state === "online" ? h.name : `${h.name} (${h.state})` }))]}
          />
          <FilterSelect
            name="power"
            label="Power"
            value={query.power}
            allLabel="Any power state"
            options={VM_POWERS.map((p) => ({ value: p, label: `${capitalize(p)} (${fmtInt(facets.power[p] ?? 0)})` }))}
          />
          <FilterSelect
            name="priority"
            label="HA priority"
            value={query.priority}
            allLabel="Any priority"
            options={HA_PRIORITIES.map((p) => ({ value: p, label: `${capitalize(p)} (${fmtInt(facets.priority[p] ?? 0)})` }))}
          />
          <FilterSelect
            name="devices"
            label="Uses devices"
            value={query.devices}
            allLabel="Either"
            options={[
              { value: "yes", label: "Yes (GPU, vGPU or VF)" },
              { value: "no", label: "No" },
            ]}
          />
          {query.tag && (
            <div className="flex flex-col gap-0.5">
              <span className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">Requests tag</span>
              <span className="flex h-7 items-center gap-1">
                <TagChip type={query.tag.type} name={query.tag.tag} />
                <Link href={hrefWith("/vms", params, { tag: undefined })} className="rounded p-0.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900" aria-label="Remove the tag filter">
                  <X aria-hidden className="size-3.5" />
                </Link>
              </span>
            </div>
          )}
        </FilterBar>
        <VmTable
          rows={page.rows}
          sort={query.sort}
          dir={query.dir}
          now={now}
          empty={
            <EmptyState icon={Monitor} title={filtered ? "No VMs match these filters" : "No VMs yet"} action={
              filtered ? undefined : (
                <RoleGate role="admin">
                  <LinkButton href="/vms/new">New VM</LinkButton>
                </RoleGate>
              )
            }>
              {filtered ? "Clear the filters or search for another name." : "Create a VM to place it on a host with its devices."}
            </EmptyState>
          }
        />
        <Pagination pathname="/vms" params={params} {...page} noun="VMs" />
      </Card>
    </>
  );
}
