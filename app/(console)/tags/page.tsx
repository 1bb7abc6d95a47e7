import type { Metadata } from "next";
import { Tags } from "lucide-react";
import { listTags, parseTagListQuery, TAG_TYPES } from "@/lib/server/queries/tags";
import type { SearchParams } from "@/lib/server/queries/params";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { FilterBar, FilterSelect, SearchInput } from "@/components/ui/filter-bar";
import { EmptyState } from "@/components/ui/empty-state";
import { fmtInt } from "@/components/ui/format";
import { TagTable } from "@/components/tags/tag-table";

export const metadata: Metadata = { title: "Device tags" };

const TYPE_LABEL: Record<string, string> = { gpu: "GPU (passthrough)", vgpu: "vGPU", sriov: "SR-IOV" };

export default async function TagsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = parseTagListQuery(await searchParams);
  const tags = await listTags(query);
  const filtered = Boolean(query.type || query.q);

  return (
    <>
      <PageHeader
        title="Device tags"
        description="Devices of one type with the same tag are interchangeable: a VM asking for a tag can be rebuilt on any host with a free unit. GPU and vGPU tags come from the model and profile; SR-IOV tags are set on NICs."
      />
      <Card>
        <FilterBar action="/tags" active={filtered} resetHref="/tags" label="Filter device tags">
          <SearchInput value={query.q} placeholder="Tag name" />
          <FilterSelect name="type" label="Type" value={query.type} allLabel="All types" options={TAG_TYPES.map((t) => ({ value: t, label: TYPE_LABEL[t] }))} />
        </FilterBar>
        {tags.length === 0 ? (
          <EmptyState icon={Tags} title={filtered ? "No tags match these filters" : "No device tags yet"}>
            {filtered
              ? "Clear the filters to see every tag."
              : "Tags appear when hosts have GPUs (derived automatically) or when an admin tags an SR-IOV NIC."}
          </EmptyState>
        ) : (
          <>
            <TagTable tags={tags} />
            <p className="border-t border-zinc-200 px-4 py-2 text-[12px] text-zinc-600">
              {fmtInt(tags.length)} tag{tags.length === 1 ? "" : "s"}
            </p>
          </>
        )}
      </Card>
    </>
  );
}
