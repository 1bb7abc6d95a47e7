import type { Metadata } from "next";
import { requestTime } from "@/lib/server/queries/params";
import { Bell, Gpu, Monitor, Server } from "lucide-react";
import { getOverviewLive } from "@/lib/server/queries/overview";
import { getClusterLive } from "@/lib/server/queries/cluster";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { fmtInt } from "@/components/ui/format";
import { Breakdown, StatCard } from "@/components/overview/stat-card";
import { CapacityTable } from "@/components/overview/capacity-table";
import { DeviceUsage } from "@/components/overview/device-usage";
import { RecentAlerts, RecentIncidents, ViewAllLink } from "@/components/overview/recent-alerts";
import { CapacityCharts, HostsByStateChart } from "@/components/dashboard/capacity-charts";
import { DashboardHaSection } from "./dashboard-ha-section";
import { param, type SearchParams } from "@/lib/server/queries/params";

export const metadata: Metadata = { title: "Overview" };

const HOST_DOTS: Record<string, string> = {
  online: "bg-emerald-500",
  unreachable: "bg-amber-500",
  failed: "bg-red-500",
  maintenance: "bg-blue-500",
  isolated: "bg-violet-500",
};
const POWER_DOTS: Record<string, string> = {
  running: "bg-emerald-500",
  stopped: "bg-zinc-400",
  pending: "bg-amber-500",
  starting: "bg-sky-500",
  stopping: "bg-sky-500",
  migrating: "bg-blue-500",
  error: "bg-red-500",
};
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const [cluster, o, sp] = await Promise.all([getClusterLive(), getOverviewLive(), searchParams]);
  const now = requestTime();

  if (!cluster && o.hostCount === 0) {
    return (
      <>
        <PageHeader title="Overview" />
        <Card>
          <EmptyState icon={Server} title="No cluster yet">
            Import a cluster (or load the demo with <code className="font-mono">npm run db:reset</code>) to see its hosts, VMs and devices here.
          </EmptyState>
        </Card>
      </>
    );
  }

  const hostStates = ["online", "unreachable", "failed", "maintenance", "isolated"];
  const powers = ["running", "stopped", "pending", "starting", "stopping", "migrating", "error", "unknown"];
  const activeAlerts = o.alerts.open + o.alerts.acknowledged;
  const unhealthyHosts = (o.hostsByState.unreachable ?? 0) + (o.hostsByState.failed ?? 0) + (o.hostsByState.isolated ?? 0);

  return (
    <>
      <PageHeader title="Overview" description={cluster ? `Health, capacity and devices of ${cluster.name}` : undefined} />

      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-4">
        <StatCard
          title="Hosts"
          value={o.hostCount}
          href="/hosts"
          icon={Server}
          accent={unhealthyHosts > 0 ? "amber" : undefined}
          sub={`${fmtInt(o.hostsByState.online ?? 0)} online${unhealthyHosts ? ` · ${fmtInt(unhealthyHosts)} need attention` : ""}`}
        >
          <Breakdown
            items={hostStates
              .filter((s) => (o.hostsByState[s] ?? 0) > 0 || s === "online")
              .map((s) => ({ label: cap(s), value: o.hostsByState[s] ?? 0, href: `/hosts?state=${s}`, dot: HOST_DOTS[s] }))}
          />
        </StatCard>
        <StatCard title="Virtual machines" value={o.vmCount} href="/vms" icon={Monitor} sub={`${fmtInt(o.vmsWithDevices)} with GPU, vGPU or SR-IOV devices`}>
          <Breakdown
            items={powers
              .filter((p) => (o.vmsByPower[p] ?? 0) > 0 || p === "running")
              .map((p) => ({ label: cap(p), value: o.vmsByPower[p] ?? 0, href: `/vms?power=${p}`, dot: POWER_DOTS[p] }))}
          />
        </StatCard>
        <StatCard
          title="GPUs"
          value={o.gpus.total}
          href="/gpus"
          icon={Gpu}
          sub={`${fmtInt(o.gpus.passthrough)} passthrough · ${fmtInt(o.gpus.partitioned)} vGPU-partitioned`}
        >
          <p className="text-[12px] text-zinc-600">
            vGPU slots <span className="tabular font-semibold text-zinc-900">{fmtInt(o.vgpuSlots.used)}</span> used of{" "}
            <span className="tabular font-semibold text-zinc-900">{fmtInt(o.vgpuSlots.total)}</span>
          </p>
        </StatCard>
        <StatCard
          title="Open alerts"
          value={o.alerts.open}
          href="/alerts?status=open"
          icon={Bell}
          accent={o.alerts.critical > 0 ? "red" : o.alerts.warning > 0 ? "amber" : undefined}
          sub={`${fmtInt(o.alerts.acknowledged)} acknowledged · ${fmtInt(o.openIncidents)} open incident${o.openIncidents === 1 ? "" : "s"}`}
        >
          {/* the open alerts by severity: the three add up to the number above */}
          <Breakdown
            items={[
              { label: "Critical", value: o.alerts.critical, href: "/alerts?status=open&severity=critical", dot: "bg-red-500" },
              { label: "Warning", value: o.alerts.warning, href: "/alerts?status=open&severity=warning", dot: "bg-amber-500" },
              { label: "Info", value: o.alerts.info, href: "/alerts?status=open&severity=info", dot: "bg-sky-500" },
            ]}
          />
        </StatCard>
      </div>

      <DashboardHaSection whatIfHostId={param(sp, "whatif")} now={now} />

      <div className="mt-3 grid grid-cols-1 gap-3 xl:grid-cols-3">
        <Card className="xl:col-span-2">
          <CardHeader title="Capacity" note="allocated to placed VMs vs online hosts, per zone" actions={<ViewAllLink href="/hosts">Hosts</ViewAllLink>} />
          <CapacityCharts lines={o.capacity} />
          <div className="border-t border-zinc-200">
            <CapacityTable lines={o.capacity} />
          </div>
        </Card>
        <div className="flex flex-col gap-3">
          <Card>
            <CardHeader title="Hosts by state" actions={<ViewAllLink href="/hosts">Hosts</ViewAllLink>} />
            <HostsByStateChart counts={o.hostsByState} />
          </Card>
          <Card>
            <CardHeader title="Devices" note="used / free units" actions={<ViewAllLink href="/tags">Device tags</ViewAllLink>} />
            <CardBody>
              <DeviceUsage gpus={o.gpus} vgpuSlots={o.vgpuSlots} vfs={o.vfs} />
            </CardBody>
          </Card>
        </div>
      </div>

      <div className="mt-3 grid grid-cols-1 gap-3 xl:grid-cols-2">
        <Card>
          <CardHeader title="Active alerts" note={activeAlerts ? `${fmtInt(activeAlerts)} open or acknowledged` : undefined} actions={<ViewAllLink href="/alerts">All alerts</ViewAllLink>} />
          <RecentAlerts alerts={o.recentAlerts} now={now} />
        </Card>
        <Card>
          <CardHeader title="Recent incidents" actions={<ViewAllLink href="/incidents">All incidents</ViewAllLink>} />
          <RecentIncidents incidents={o.recentIncidents} now={now} />
        </Card>
      </div>
    </>
  );
}
