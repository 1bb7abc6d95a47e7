import type { Metadata } from "next";
import { Gpu, X } from "lucide-react";
import Link from "next/link";
import { GPU_KINDS, GPU_MODES, listGpuFacets, listGpus, parseGpuListQuery } from "@/lib/server/queries/gpus";
import type { SearchParams } from "@/lib/server/queries/params";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { FilterBar, FilterSelect, SearchInput } from "@/components/ui/filter-bar";
import { Pagination } from "@/components/ui/pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { capitalize, fmtInt } from "@/components/ui/format";
import { flatParams, hrefWith } from "@/components/ui/url";
import { GpuTable } from "@/components/gpus/gpu-table";
import { LinkButton } from "@/components/ui/button";

export const metadata: Metadata = { title: "GPUs" };

export default async function GpusPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const query = parseGpuListQuery(sp);
  const [page, facets] = await Promise.all([listGpus(query), listGpuFacets()]);
  const params = flatParams(sp);
  const filtered = Boolean(query.model || query.mode || query.kind || query.host || query.q);
  const total = facets.models.reduce((n, m) => n + m.count, 0);

  return (
    <>
      <PageHeader
        title="GPUs"
        description={`${fmtInt(total)} physical GPUs: passthrough or vGPU-partitioned, their slots and the VMs using them`}
        actions={<LinkButton href="/gpus/dashboard">GPU dashboard</LinkButton>}
      />
      <Card>
        <FilterBar action="/gpus" active={filtered} resetHref="/gpus" keep={{ sort: params.sort, dir: params.dir, size: params.size, host: params.host }} label="Filter GPUs">
          <SearchInput value={query.q} placeholder="Name, model or PCI address" />
          <FilterSelect name="model" label="Model" value={query.model} allLabel="All models" options={facets.models.map((m) => ({ value: m.model, label: `${m.model} (${fmtInt(m.count)})` }))} />
          <FilterSelect name="mode" label="Mode" value={query.mode} allLabel="Any mode" options={GPU_MODES.map((m) => ({ value: m, label: capitalize(m) }))} />
          <FilterSelect
            name="kind"
            label="Kind"
            value={query.kind}
            allLabel="Passthrough and vGPU"
            options={GPU_KINDS.map((k) => ({ value: k, label: k === "vgpu" ? "vGPU (partitioned)" : "Passthrough (whole GPU)" }))}
          />
          {query.host && (
            <div className="flex flex-col gap-0.5">
              <span className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">Host</span>
              <span className="flex h-7 items-center gap-1 text-[12.5px] font-medium">
                {query.host}
                <Link href={hrefWith("/gpus", params, { host: undefined })} className="rounded p-0.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900" aria-label="Remove the host filter">
                  <X aria-hidden className="size-3.5" />
                </Link>
              </span>
            </div>
          )}
        </FilterBar>
        <GpuTable
          rows={page.rows}
          sort={query.sort}
          dir={query.dir}
          empty={
            <EmptyState icon={Gpu} title={filtered ? "No GPUs match these filters" : "No GPUs yet"}>
              {filtered ? "Clear the filters to see every GPU." : "GPUs appear when a host agent reports them or an admin adds them to a host."}
            </EmptyState>
          }
        />
        <Pagination pathname="/gpus" params={params} {...page} noun="GPUs" />
      </Card>
    </>
  );
}
