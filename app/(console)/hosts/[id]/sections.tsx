import "server-only";
// The host page's loaders: each reads its data and renders a component with it (components take
// data and actions as props; they read nothing themselves). Each streams in its own Suspense.
import { notFound } from "next/navigation";
import { getHost, HOST_DETAIL_VM_LIMIT } from "@/lib/server/queries/hosts";
import { getMaintenanceProgress } from "@/lib/server/queries/maintenance";
import { getWhatIf } from "@/lib/server/queries/dashboard";
import { requestTime } from "@/lib/server/queries/params";
import { getHostOffImpact } from "@/lib/server/recovery-ops";
import { HostDetail } from "@/components/hosts/host-detail";
import { HostPowerConfirmation } from "@/components/hosts/host-power-confirmation";
import { MaintenancePanel } from "@/components/maintenance/maintenance-panel";
import { WhatIfPanel } from "@/components/ha/what-if-panel";
import { confirmHostOffAction } from "../confirm-off-actions";
import { getDb } from "@/lib/server/db";
import { listDeviceReconciliation } from "@/lib/server/agent/reconcile";
import { DiscoveredDevices } from "@/components/hosts/discovered-devices";
import { addDiscoveredDeviceAction, ignoreDiscoveredDeviceAction, replaceWithDiscoveredAction } from "../discovered-actions";
import { enterMaintenanceAction, exitMaintenanceAction, previewEvacuationAction } from "../maintenance-actions";

export async function HostDetailSection({ id, canAdmin }: { id: string; canAdmin: boolean }) {
  const host = await getHost(id);
  if (!host) notFound();
  return <HostDetail host={host} now={requestTime()} canAdmin={canAdmin} vmLimit={HOST_DETAIL_VM_LIMIT} />;
}

/** Admins only (the page renders it for them): "confirm the host is powered off" on a silent host. */
export async function HostPowerConfirmationSection({ hostId }: { hostId: string }) {
  const impact = await getHostOffImpact(hostId);
  if (!impact || !impact.applies) return null;
  return <HostPowerConfirmation impact={impact} action={confirmHostOffAction} />;
}

export async function MaintenanceSection({ hostId, hostName, canOperate }: { hostId: string; hostName: string; canOperate: boolean }) {
  const progress = await getMaintenanceProgress(hostId);
  if (!progress) return null;
  return (
    <MaintenancePanel
      hostId={hostId}
      hostName={hostName}
      progress={progress}
      now={requestTime()}
      actions={canOperate ? { preview: previewEvacuationAction, enter: enterMaintenanceAction, exit: exitMaintenanceAction } : null}
    />
  );
}

export async function HostWhatIfSection({ hostId }: { hostId: string }) {
  let r = await getWhatIf(hostId);
  if (!r) r = await getWhatIf(hostId, undefined, { fresh: true });
  if (!r) return null;
  return <WhatIfPanel initial={r} fixedHost className="mt-3" />;
}

/** Admins only: devices the host's agent found that the inventory lacks, and missing ones (issue 12). */
export async function DiscoveredDevicesSection({ hostId, hostName }: { hostId: string; hostName: string }) {
  const r = await listDeviceReconciliation(getDb(), hostId);
  if (!r.discovered.length && !r.missing.length) return null;
  const detail = (d: (typeof r.discovered)[number]) =>
    [d.data.vgpuProfile ? `vGPU ${d.data.vgpuProfile}${d.data.vgpuSlots ? ` ×${d.data.vgpuSlots}` : ""}` : "", d.data.sriovVfs ? `${d.data.sriovVfs} VFs` : "", d.data.bond ? `bond ${d.data.bond}` : "", d.data.speedMbps ? `${d.data.speedMbps / 1000} Gb/s` : ""].filter(Boolean).join(" · ");
  return (
    <DiscoveredDevices
      hostName={hostName}
      discovered={r.discovered.map((d) => ({ id: d.id, kind: d.kind, name: d.name, identity: d.identity, model: d.model, pciAddress: d.pciAddress, status: d.status, firstSeenAt: d.firstSeenAt.toISOString(), detail: detail(d) }))}
      missing={r.missing.map((m) => ({ id: m.id, kind: m.kind, name: m.name, model: m.model, pciAddress: m.pciAddress, missingSince: m.missingSince.toISOString(), vms: m.vms }))}
      actions={{ add: addDiscoveredDeviceAction, replace: replaceWithDiscoveredAction, ignore: ignoreDiscoveredDeviceAction }}
    />
  );
}
