import Link from "next/link";
import { ArrowRightLeft, Pencil } from "lucide-react";
import type { VmDetail as VmDetailData } from "@/lib/server/queries/vms";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { LinkButton } from "@/components/ui/button";
import { DescriptionList } from "@/components/ui/description-list";
import { Badge } from "@/components/ui/badge";
import { DeviceTypeBadge, HostStateBadge, PowerBadge, PriorityBadge, TagChip } from "@/components/ui/status";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { EmptyState } from "@/components/ui/empty-state";
import { fmtAgo, fmtDateTime, fmtGiB, fmtMiB } from "@/components/ui/format";
import { Cpu, HardDrive, Network } from "lucide-react";
import { OpenAlertsCard } from "@/components/alerts/open-alerts-card";
import { humanizeText } from "@/lib/display/text";

/**
 * The VM page's content. `haEligibility` is the eligibility slot (the page streams it in its own
 * Suspense: the engine's answer costs more than the rest).
 */
export function VmDetail({ vm, now, canAdmin, haEligibility }: { vm: VmDetailData; now: number; canAdmin: boolean; haEligibility: React.ReactNode }) {
  const totalDisk = vm.disks.reduce((n, d) => n + d.sizeGiB, 0);

  return (
    <>
      <PageHeader
        crumbs={[{ label: "VMs", href: "/vms" }, { label: vm.name }]}
        title={vm.name}
        badges={
          <>
            <PowerBadge power={vm.power} since={vm.powerSince} />
            <PriorityBadge priority={vm.haPriority} />
          </>
        }
        description={
          <>
            {vm.vcpus} vCPU · {fmtMiB(vm.memoryMiB)} · {vm.disks.length} disk{vm.disks.length === 1 ? "" : "s"} ({fmtGiB(totalDisk)}) ·{" "}
            {vm.host ? <>on {vm.host.name}</> : "not placed"}
          </>
        }
        actions={
          canAdmin ? (
            <LinkButton href={`/vms/${vm.id}/edit`} variant="primary">
              <Pencil aria-hidden className="size-3.5" />
              Edit
            </LinkButton>
          ) : undefined
        }
      />

      <OpenAlertsCard alerts={vm.openAlerts} note={`${vm.openAlerts.length} on this VM`} now={now} />

      <div className="grid grid-cols-1 gap-3 xl:grid-cols-3">
        <Card className="xl:col-span-2">
          <CardHeader title="Summary" />
          <CardBody>
            <DescriptionList
              columns={3}
              items={summaryItems(vm, now)}
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="High availability" />
          <CardBody>
            <DescriptionList
              columns={1}
              items={[
                { label: "HA priority", value: <PriorityBadge priority={vm.haPriority} /> },
                {
                  label: "HA eligibility",
                  value: haEligibility,
                },
                {
                  label: "Host affinity",
                  value: vm.hostAffinity.length ? (
                    <span className="flex flex-wrap gap-x-2 gap-y-0.5">
                      {vm.hostAffinity.map((h) => (
                        <Link key={h.id} href={`/hosts/${h.id}`} className={entityLink}>
                          {h.name}
                        </Link>
                      ))}
                    </span>
                  ) : (
                    <span className="text-zinc-500">any host</span>
                  ),
                },
                {
                  label: "Placement groups",
                  value: vm.placementGroups.length ? (
                    <span className="flex flex-wrap gap-1.5">
                      {vm.placementGroups.map((g) => (
                        <Badge key={g.id} title={`${g.type}, ${g.enforcement}`}>
                          {g.name} <span className="font-normal text-zinc-500">· {g.type} ({g.enforcement})</span>
                        </Badge>
                      ))}
                    </span>
                  ) : (
                    <span className="text-zinc-500">none</span>
                  ),
                },
                {
                  label: "Maintenance",
                  value: vm.restartOnMaintenanceExit ? "Powered off for host maintenance; restarts when the host exits it" : <span className="text-zinc-500">—</span>,
                },
              ]}
            />
          </CardBody>
        </Card>
      </div>

      <Card className="mt-3">
        <CardHeader title="Devices" note="requests and the concrete devices allocated to them" />
        <DeviceSection vm={vm} />
      </Card>

      <div className="mt-3 grid grid-cols-1 gap-3 xl:grid-cols-2">
        <Card>
          <CardHeader title="Network interfaces" note={`${vm.nics.length}`} />
          <NicSection vm={vm} />
        </Card>
        <Card>
          <CardHeader title="Disks and storage sessions" note={`${vm.disks.length}`} />
          <DiskSection vm={vm} />
        </Card>
      </div>

      {(vm.lastPlacementReasons?.length || vm.recentEvents.length > 0) && (
        <div className="mt-3 grid grid-cols-1 gap-3 xl:grid-cols-2">
          {vm.lastPlacementReasons && vm.lastPlacementReasons.length > 0 && (
            <Card>
              <CardHeader title="Last placement decision" note="why the engine chose this host" />
              <CardBody>
                <ul className="list-disc space-y-1 pl-5 text-[13px] text-zinc-700">
                  {vm.lastPlacementReasons.map((r, i) => (
                    <li key={i}>{humanizeText(r)}</li>
                  ))}
                </ul>
              </CardBody>
            </Card>
          )}
          {vm.recentEvents.length > 0 && (
            <Card>
              <CardHeader title="Recent events" />
              <ul className="divide-y divide-zinc-100">
                {vm.recentEvents.map((e) => (
                  <li key={e.id} className="flex items-start gap-3 px-4 py-2">
                    <time dateTime={e.at} title={fmtDateTime(e.at)} className="tabular w-20 shrink-0 text-[12px] text-zinc-500">
                      {fmtAgo(e.at, now)}
                    </time>
                    <span className="min-w-0 flex-1">
                      <span className="mr-2 font-mono text-[11.5px] text-zinc-500">{e.kind}</span>
                      {humanizeText(e.message)}
                    </span>
                  </li>
                ))}
              </ul>
            </Card>
          )}
        </div>
      )}
    </>
  );
}

function summaryItems(vm: VmDetailData, now: number) {
  return [
    {
      label: "Power",
      value: (
        <span className="flex flex-wrap items-center gap-2">
          <PowerBadge power={vm.power} since={vm.powerSince} />
          <span className="text-[12px] text-zinc-500" title={fmtDateTime(vm.powerSince)}>
            since {fmtAgo(vm.powerSince, now).replace(" ago", "")}
          </span>
        </span>
      ),
    },
    {
      label: "Desired power",
      value: vm.desiredPower === "on" ? (vm.power === "running" ? "On" : <span className="text-amber-700">On (not running yet)</span>) : "Off",
    },
    {
      label: "Host",
      value: vm.host ? (
        <span className="flex flex-wrap items-center gap-2">
          <Link href={`/hosts/${vm.host.id}`} className={entityLink}>
            {vm.host.name}
          </Link>
          {vm.host.state !== "online" && <HostStateBadge state={vm.host.state} />}
        </span>
      ) : (
        <span className="text-zinc-500">not placed</span>
      ),
    },
    { label: "Zone", value: vm.host?.zone ?? <span className="text-zinc-500">—</span> },
    {
      label: "Restart policy",
      value: (
        <span data-testid="vm-restart-policy">
          {vm.restartMaxRestarts ?? vm.clusterRestart.maxRestarts} restart{(vm.restartMaxRestarts ?? vm.clusterRestart.maxRestarts) === 1 ? "" : "s"} on the same host, then{" "}
          {(vm.restartMaxRelocations ?? vm.clusterRestart.maxRelocations) === null ? "relocations without limit" : `at most ${vm.restartMaxRelocations ?? vm.clusterRestart.maxRelocations} relocation(s), then error until retried`}
          {vm.restartMaxRestarts === null && vm.restartMaxRelocations === null && <span className="text-zinc-500"> (the cluster&apos;s)</span>}
        </span>
      ),
    },
    {
      label: "When its host is isolated",
      value: vm.keepRunningWhenIsolated ? (
        <span className="text-violet-800">keeps running (unknown while its host is silent)</span>
      ) : (
        "powered off by the isolation response"
      ),
    },
    { label: "vCPU", value: <span className="tabular">{vm.vcpus}</span> },
    { label: "Memory", value: <span className="tabular">{fmtMiB(vm.memoryMiB)}</span> },
    {
      label: "Placement generation",
      value: (
        <span className="tabular" title="Bumped on every placement; a host that returns is told to stop copies with an older generation">
          {vm.generation}
        </span>
      ),
    },
    { label: "Created", value: fmtDateTime(vm.createdAt) },
    { label: "Updated", value: fmtDateTime(vm.updatedAt) },
  ];
}

function DeviceSection({ vm }: { vm: VmDetailData }) {
  if (vm.deviceRequests.length === 0 && vm.allocations.length === 0) {
    return (
      <EmptyState icon={Cpu} title="No passthrough GPU, vGPU or SR-IOV devices" className="py-6">
        This VM can live-migrate and is rebuilt anywhere with enough vCPU and memory.
      </EmptyState>
    );
  }
  return (
    <div className="grid grid-cols-1 divide-y divide-zinc-200 2xl:grid-cols-2 2xl:divide-x 2xl:divide-y-0">
      <div>
        <h3 className="px-4 pb-1 pt-3 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500">Requests</h3>
        <Table label="Device requests">
          <THead>
            <tr>
              <Th>#</Th>
              <Th>Type</Th>
              <Th>Tag</Th>
              <Th align="right">Count</Th>
              <Th>Named GPU</Th>
              <Th>Allocated</Th>
            </tr>
          </THead>
          <tbody>
            {vm.deviceRequests.map((r) => (
              <Tr key={r.index}>
                <Td className="tabular text-zinc-500">{r.index}</Td>
                <Td>
                  <DeviceTypeBadge type={r.type} />
                </Td>
                <Td>
                  <Link href={`/vms?tag=${encodeURIComponent(`${r.type}:${r.tag}`)}`} title="VMs requesting this tag" className="hover:opacity-80">
                    <TagChip type={r.type} name={r.tag} />
                  </Link>
                </Td>
                <Td align="right">{r.count}</Td>
                <Td>
                  {r.gpu ? (
                    <span>
                      {r.gpu.name} <span className="text-zinc-500">on</span>{" "}
                      <Link href={`/hosts/${r.gpu.host.id}`} className={entityLink}>
                        {r.gpu.host.name}
                      </Link>
                    </span>
                  ) : (
                    <span className="text-zinc-400">any with the tag</span>
                  )}
                </Td>
                <Td>
                  {r.allocated >= r.count ? (
                    <Badge tone="green" dot>
                      {r.allocated}/{r.count}
                    </Badge>
                  ) : r.allocated > 0 ? (
                    <Badge tone="amber" dot>
                      {r.allocated}/{r.count}
                    </Badge>
                  ) : (
                    <Badge>none{vm.host ? "" : " (not placed)"}</Badge>
                  )}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      </div>
      <div>
        <h3 className="px-4 pb-1 pt-3 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500">Allocated devices</h3>
        {vm.allocations.length === 0 ? (
          <p className="px-4 pb-4 pt-1 text-[12.5px] text-zinc-500">No device is allocated: the VM holds devices only while it is placed on a host.</p>
        ) : (
          <Table label="Allocated devices">
            <THead>
              <tr>
                <Th>Type</Th>
                <Th>Device</Th>
                <Th>Unit</Th>
                <Th>Host</Th>
                <Th>Tag</Th>
              </tr>
            </THead>
            <tbody>
              {vm.allocations.map((a) => (
                <Tr key={a.id}>
                  <Td>
                    <DeviceTypeBadge type={a.type} />
                  </Td>
                  <Td>
                    {a.gpu ? (
                      <span title={`${a.gpu.model} at ${a.gpu.pciAddress}`}>
                        {a.gpu.name} <span className="font-mono text-[11.5px] text-zinc-500">{a.gpu.pciAddress}</span>
                      </span>
                    ) : a.nic ? (
                      <span className="font-mono text-[12.5px]">{a.nic.name}</span>
                    ) : (
                      <span className="font-mono text-[12px] text-zinc-500">{a.deviceKey}</span>
                    )}
                  </Td>
                  <Td className="tabular">
                    {a.type === "vgpu" && a.slot !== null ? `slot ${a.slot}` : a.type === "sriov" && a.vf !== null ? `VF ${a.vf}` : "whole GPU"}
                  </Td>
                  <Td>
                    <Link href={`/hosts/${a.host.id}`} className={entityLink}>
                      {a.host.name}
                    </Link>
                  </Td>
                  <Td>
                    <TagChip type={a.type} name={a.tag} />
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
    </div>
  );
}

function NicSection({ vm }: { vm: VmDetailData }) {
  if (vm.nics.length === 0) return <EmptyState icon={Network} title="No network interfaces" className="py-6" />;
  return (
    <Table label="Network interfaces">
      <THead>
        <tr>
          <Th>#</Th>
          <Th>Network</Th>
          <Th align="right">VLAN</Th>
          <Th>MAC</Th>
          <Th>IP address</Th>
        </tr>
      </THead>
      <tbody>
        {vm.nics.map((n) => (
          <Tr key={n.index}>
            <Td className="tabular text-zinc-500">{n.index}</Td>
            <Td>
              <Link href={`/networks/${n.network.id}`} className={entityLink}>
                {n.network.name}
              </Link>
              {!n.network.managed && <span className="ml-1.5 text-[11.5px] text-zinc-500">unmanaged</span>}
            </Td>
            <Td align="right">{n.network.vlan ?? <span className="text-zinc-400">—</span>}</Td>
            <Td className="font-mono text-[12px] text-zinc-600">{n.mac ?? "—"}</Td>
            <Td>
              {n.lease ? (
                <span className="flex items-center gap-1.5">
                  <span className="font-mono text-[12.5px]">{n.lease.address}</span>
                  <Badge tone={n.lease.static ? "violet" : "neutral"}>{n.lease.static ? "static" : "IPAM"}</Badge>
                </span>
              ) : n.staticIp ? (
                <span className="font-mono text-[12.5px]">{n.staticIp}</span>
              ) : n.network.managed ? (
                <span className="text-amber-700">no lease</span>
              ) : (
                <span className="text-zinc-500">external DHCP</span>
              )}
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}

function DiskSection({ vm }: { vm: VmDetailData }) {
  if (vm.disks.length === 0) return <EmptyState icon={HardDrive} title="No disks" className="py-6" />;
  return (
    <Table label="Disks">
      <THead>
        <tr>
          <Th>#</Th>
          <Th align="right">Size</Th>
          <Th>Bus</Th>
          <Th>Storage sessions</Th>
        </tr>
      </THead>
      <tbody>
        {vm.disks.map((d) => (
          <Tr key={d.index}>
            <Td className="tabular text-zinc-500">{d.index}</Td>
            <Td align="right">{fmtGiB(d.sizeGiB)}</Td>
            <Td className="font-mono text-[12px]">{d.bus}</Td>
            <Td>
              {d.sessions.length === 0 ? (
                <span className="text-zinc-500">{vm.host ? "no session" : "none (VM not placed)"}</span>
              ) : (
                <ul className="space-y-0.5">
                  {d.sessions.map((s) => (
                    <li key={s.session} className="flex flex-wrap items-center gap-1.5 text-[12.5px]">
                      <span className="tabular text-zinc-500">#{s.session}</span>
                      <span className="text-zinc-500">→</span>
                      <Link href={`/hosts/${s.controller.id}`} className={entityLink}>
                        {s.controller.name}
                      </Link>
                      {s.local ? (
                        <Badge tone="green">local</Badge>
                      ) : (
                        <Badge tone="amber" title="The local controller is down: the session goes to a healthy remote controller">
                          <ArrowRightLeft aria-hidden className="size-3" />
                          redirected
                        </Badge>
                      )}
                      {!s.controller.healthy && <Badge tone="red">controller down</Badge>}
                    </li>
                  ))}
                </ul>
              )}
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
