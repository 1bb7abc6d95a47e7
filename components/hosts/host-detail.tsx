import Link from "next/link";
import { Pencil } from "lucide-react";
import type { HostDetail as HostDetailData } from "@/lib/server/queries/hosts";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { LinkButton } from "@/components/ui/button";
import { DescriptionList } from "@/components/ui/description-list";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { Badge } from "@/components/ui/badge";
import { HostStateBadge, TagChip } from "@/components/ui/status";
import { fmtAgo, fmtDateTime, fmtInt, fmtMiB } from "@/components/ui/format";
import { entityLink } from "@/components/ui/table";
import { HostGpuTable, HostNicTable } from "./host-devices";
import { HostVmTable } from "./host-vm-table";
import { StorageHealth } from "./storage-health";
import { SimulatedBadge } from "./simulated-badge";
import { OpenAlertsCard } from "@/components/alerts/open-alerts-card";
import { heartbeatLine, hostSilent } from "@/lib/display/host-truth";
import { cn } from "@/components/ui/cn";

/**
 * The host page's content. On an unreachable or failed host what it last reported (its VMs'
 * power, its storage controller, its NIC links) is shown as unknown, not as it was.
 */
export function HostDetail({ host, now, canAdmin, vmLimit }: { host: HostDetailData; now: number; canAdmin: boolean; vmLimit: number }) {
  const storageNics = host.nics.filter((n) => n.role === "storage");
  const silent = hostSilent(host.state);
  const hb = heartbeatLine(host.state, host.lastHeartbeatAt, now, host.heartbeat);

  return (
    <>
      <PageHeader
        crumbs={[{ label: "Hosts", href: "/hosts" }, { label: host.name }]}
        title={host.name}
        badges={
          <>
            <HostStateBadge state={host.state} />
            <SimulatedBadge simulated={host.simulated} />
          </>
        }
        description={
          <>
            {host.address && <span className="font-mono">{host.address}</span>}
            {host.address && " · "}
            {host.zone ? `${host.zone.name} (${host.zone.role})` : "no zone"} · {fmtInt(host.cpus)} CPUs · {fmtMiB(host.memoryMiB)}
          </>
        }
        actions={
          <>
            <LinkButton href={`/vms?host=${encodeURIComponent(host.name)}`}>VMs on this host</LinkButton>
            {canAdmin && (
              <>
                <LinkButton href={`/hosts/${host.id}/agent`}>Agent token</LinkButton>
                <LinkButton href={`/hosts/${host.id}/edit`} variant="primary">
                  <Pencil aria-hidden className="size-3.5" />
                  Edit
                </LinkButton>
              </>
            )}
          </>
        }
      />

      <OpenAlertsCard alerts={host.openAlerts} note={`${host.openAlerts.length} on this host`} now={now} />

      <div className="grid grid-cols-1 gap-3 xl:grid-cols-3">
        <Card>
          <CardHeader title="Summary" />
          <CardBody>
            <DescriptionList
              items={[
                { label: "State", value: <span className="flex flex-wrap items-center gap-2"><HostStateBadge state={host.state} /><span className="text-[12px] text-zinc-500" title={fmtDateTime(host.stateSince)}>since {fmtAgo(host.stateSince, now).replace(" ago", "")}</span></span> },
                {
                  label: "Heartbeat",
                  value: (
                    <span data-testid="host-heartbeat" className={cn(hb.tone === "late" && "text-amber-800")}>
                      <time dateTime={host.lastHeartbeatAt ?? undefined} title={`last recorded ${fmtDateTime(host.lastHeartbeatAt)}`}>
                        {hb.text}
                      </time>
                    </span>
                  ),
                },
                { label: "Zone", value: host.zone ? <span className="flex items-center gap-1.5">{host.zone.name} <Badge>{host.zone.role}</Badge></span> : "—" },
                { label: "Agent address", value: host.address ? <span className="font-mono">{host.address}</span> : "—" },
                {
                  label: "Placement groups",
                  value: host.placementGroups.length ? (
                    <span className="flex flex-wrap gap-1.5">
                      {host.placementGroups.map((g) => (
                        <Badge key={g.id} title={`${g.type} (${g.enforcement})`}>
                          {g.name}
                        </Badge>
                      ))}
                    </span>
                  ) : (
                    <span className="text-zinc-400">none</span>
                  ),
                },
                { label: "Registered", value: fmtDateTime(host.createdAt) },
              ]}
            />
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Capacity" note="allocated to VMs placed here" />
          <CardBody className="space-y-3">
            <div>
              <p className="mb-1 text-[11.5px] font-medium uppercase tracking-wide text-zinc-500">vCPU</p>
              <CapacityBar used={host.vcpusAllocated} total={host.cpus} label="vCPU allocated" format={fmtInt} unit="vCPU" />
            </div>
            <div>
              <p className="mb-1 text-[11.5px] font-medium uppercase tracking-wide text-zinc-500">Memory</p>
              <CapacityBar used={host.memoryMiBAllocated} total={host.memoryMiB} label="Memory allocated" format={fmtMiB} />
            </div>
            <div>
              <p className="mb-1.5 text-[11.5px] font-medium uppercase tracking-wide text-zinc-500">Devices by tag</p>
              {host.pools.length === 0 ? (
                <p className="text-[12.5px] text-zinc-500">No tagged devices (GPUs or tagged SR-IOV NICs).</p>
              ) : (
                <ul className="space-y-2">
                  {host.pools.map((p) => (
                    <li key={`${p.type}|${p.tag}`}>
                      <div className="mb-0.5 flex min-w-0 items-center justify-between gap-2">
                        <TagChip type={p.type} name={p.tag} />
                      </div>
                      <CapacityBar used={p.used} total={p.total} label={`${p.tag} used`} format={fmtInt} unit={p.type === "gpu" ? "GPUs" : p.type === "vgpu" ? "slots" : "VFs"} size="sm" />
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Storage path" />
          <CardBody>
            <DescriptionList
              columns={1}
              items={[
                {
                  label: "Storage controller",
                  value: (
                    <StorageHealth
                      hostState={host.state}
                      present={host.storageControllerPresent}
                      healthy={host.storageControllerHealthy}
                      nics={storageNics.length}
                      nicsDown={storageNics.filter((n) => !n.linkUp).length}
                    />
                  ),
                },
                {
                  label: "Storage NICs",
                  value: storageNics.length ? (
                    <span className="flex flex-wrap gap-x-3 gap-y-1">
                      {storageNics.map((n) => (
                        <span key={n.id} className="inline-flex items-center gap-1.5 font-mono text-[12.5px]">
                          <span aria-hidden className={`size-2 rounded-full ${silent ? "bg-zinc-400" : n.linkUp ? "bg-emerald-500" : "bg-red-500"}`} />
                          {n.name}
                          {n.bond && <span className="text-zinc-500">({n.bond})</span>}
                          <span className={silent ? "text-[11.5px] text-zinc-500" : "sr-only"}>{silent ? "link unknown" : n.linkUp ? "link up" : "link down"}</span>
                        </span>
                      ))}
                    </span>
                  ) : (
                    <span className="text-zinc-400">none reported</span>
                  ),
                },
                {
                  label: "Disk sessions served",
                  value: (
                    <span className="tabular">
                      {fmtInt(host.storageSessionsLocal)} local
                      {host.storageSessionsRedirectedIn > 0 && <> · <span className="text-amber-700">{fmtInt(host.storageSessionsRedirectedIn)} redirected here</span></>}
                    </span>
                  ),
                },
                {
                  label: "Sessions redirected away",
                  value:
                    host.storageSessionsRedirectedOut > 0 ? (
                      <span className="tabular text-amber-700">{fmtInt(host.storageSessionsRedirectedOut)} to remote controllers</span>
                    ) : (
                      <span className="text-zinc-500">none</span>
                    ),
                },
              ]}
            />
          </CardBody>
        </Card>
      </div>

      <Card className="mt-3">
        <CardHeader title="GPUs" note={`${host.gpus.length}`} actions={host.gpus.length > 0 ? <Link href={`/gpus?host=${encodeURIComponent(host.name)}`} className="text-[12px] font-medium text-blue-700 hover:underline">Open in GPU list</Link> : undefined} />
        <HostGpuTable gpus={host.gpus} />
      </Card>

      <Card className="mt-3">
        <CardHeader title="NICs" note={`${host.nics.length}`} />
        <HostNicTable nics={host.nics} hostState={host.state} />
      </Card>

      <Card className="mt-3">
        <CardHeader
          title="Virtual machines"
          note={`${host.vmCount > host.vms.length ? `first ${fmtInt(vmLimit)} of ${fmtInt(host.vmCount)}` : fmtInt(host.vmCount)}${silent ? ` · host is ${host.state}: power as last reported is unknown` : ""}`}
          actions={
            <Link href={`/vms?host=${encodeURIComponent(host.name)}`} className={entityLink + " text-[12px]"}>
              Open in VM list
            </Link>
          }
        />
        <HostVmTable vms={host.vms} hostState={host.state} />
      </Card>
    </>
  );
}
