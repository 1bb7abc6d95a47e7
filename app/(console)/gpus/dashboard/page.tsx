import type { Metadata } from "next";
import { Gpu, LayoutGrid, List, MemoryStick, Zap } from "lucide-react";
import { roleAtLeast } from "@/lib/schemas/auth";
import { getPrincipal } from "@/lib/server/auth/session";
import { getGpuDashboard, getGpuModeSwitch } from "@/lib/server/queries/gpu-dashboard";
import { param, type SearchParams } from "@/lib/server/queries/params";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardHeader } from "@/components/ui/card";
import { LinkButton } from "@/components/ui/button";
import { fmtInt } from "@/components/ui/format";
import { StatCard } from "@/components/overview/stat-card";
import { GpuGroupsTable, PassthroughTable, SlotGrid } from "@/components/gpus/gpu-dashboard";
import { GpuModeSwitch } from "@/components/gpus/gpu-mode-switch";
import { switchGpuModeAction } from "./actions";

export const metadata: Metadata = { title: "GPU dashboard" };

export default async function GpuDashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const gpuId = param(sp, "gpu");
  const [d, me, modeSwitch] = await Promise.all([getGpuDashboard(), getPrincipal(), gpuId ? getGpuModeSwitch(gpuId) : Promise.resolve(null)]);
  const t = d.totals;
  return (
    <>
      <PageHeader
        crumbs={[{ label: "GPUs", href: "/gpus" }, { label: "Dashboard" }]}
        title="GPU dashboard"
        description="The cluster's GPUs by model, mode and profile, who sits in each slot, passthrough assignments and GPU mode switches"
        actions={
          <LinkButton href="/gpus">
            <List aria-hidden className="size-3.5" />
            GPU list
          </LinkButton>
        }
      />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-4">
        <StatCard title="GPUs" value={t.gpus} href="/gpus" icon={Gpu} sub={`${fmtInt(t.passthrough)} passthrough · ${fmtInt(t.partitioned)} vGPU-partitioned`} />
        <StatCard title="Passthrough in use" value={t.passthroughUsed} href="/gpus?kind=passthrough" icon={MemoryStick} sub={`of ${fmtInt(t.passthrough)} whole GPUs`} />
        <StatCard title="vGPU slots in use" value={t.slotsUsed} href="/gpus?kind=vgpu" icon={LayoutGrid} sub={`of ${fmtInt(t.slots)} slots on ${fmtInt(t.partitioned)} GPUs`} />
        <StatCard title="Compute mode" value={t.compute} href="/gpus?mode=compute" icon={Zap} sub="GPUs tagged <model>.compute" />
      </div>

      <Card className="mt-3">
        <CardHeader title="By model, mode and profile" note={`${d.groups.length} group${d.groups.length === 1 ? "" : "s"}`} />
        <GpuGroupsTable groups={d.groups} />
      </Card>

      <div className="mt-3">
        <GpuModeSwitch choices={d.choices} view={modeSwitch} canSwitch={roleAtLeast(me?.role, "admin")} switchAction={switchGpuModeAction} />
      </div>

      <Card className="mt-3">
        <CardHeader title="Slot occupancy" note="each GPU's slots and the VM in each" />
        <SlotGrid groups={d.groups} />
      </Card>

      <Card className="mt-3">
        <CardHeader title="Passthrough assignments" note={`${fmtInt(d.passthrough.length)} whole GPUs given to VMs`} />
        <PassthroughTable rows={d.passthrough} />
      </Card>
    </>
  );
}
