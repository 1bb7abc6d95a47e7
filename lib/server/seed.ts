import "server-only";
// Seeding the store: the demo cluster (with a little history so the alert and incident
// screens are not empty) and the large synthetic cluster. Used by prisma/seed.ts,
// scripts/start.ts, scripts/db-reset.ts and the e2e web server.
import type { PrismaClient } from "@prisma/client";
import { importCluster, type ImportResult } from "./cluster-import";
import { ALERT_SEVERITY, alertKey, type AlertKind } from "./ha/alerts";
import { demoClusterSpec, demoHostAddresses, largeClusterSpec } from "./demo-cluster";
import { markDemoCluster } from "./demo/mode";

/** True when the store holds no cluster. */
export async function isStoreEmpty(db: PrismaClient): Promise<boolean> {
  return (await db.cluster.count()) === 0;
}

/** Deletes every cluster row (and its history); users are kept. */
export async function resetStore(db: PrismaClient): Promise<void> {
  await db.$transaction(
    [
      db.event.deleteMany(),
      db.alert.deleteMany(),
      db.incident.deleteMany(),
      db.agentCommand.deleteMany(),
      db.storageSession.deleteMany(),
      db.ipLease.deleteMany(),
      db.deviceAllocation.deleteMany(),
      db.deviceRequest.deleteMany(),
      db.placementGroupVm.deleteMany(),
      db.placementGroupHost.deleteMany(),
      db.placementGroup.deleteMany(),
      db.vmHostAffinity.deleteMany(),
      db.vmNic.deleteMany(),
      db.disk.deleteMany(),
      db.vm.deleteMany(),
      db.network.deleteMany(),
      db.gpu.deleteMany(),
      db.nic.deleteMany(),
      db.host.deleteMany(),
      db.zone.deleteMany(),
      db.cluster.deleteMany(),
      db.deviceTag.deleteMany(),
      db.auditLog.deleteMany(),
      db.controllerLease.deleteMany(),
    ],
  );
}

export const DEMO_CLUSTER_NAME = "haven-demo";
export const LARGE_CLUSTER_NAME = "haven-large";

/** Imports the demo cluster and its history, in demo mode (Cluster.demo). The store must hold no cluster. */
export async function seedDemo(db: PrismaClient, opts: { now?: Date } = {}): Promise<ImportResult> {
  const now = opts.now ?? new Date();
  const r = await importCluster(db, demoClusterSpec(), { now, name: DEMO_CLUSTER_NAME });
  await markDemoCluster(db, r.clusterId);
  const addresses = demoHostAddresses();
  await db.$transaction(Object.entries(addresses).map(([name, address]) => db.host.update({ where: { name }, data: { address } })));
  await seedDemoHistory(db, r, now);
  return r;
}

/** Imports the large synthetic cluster (1,000 hosts / 20,000 VMs by default), in demo mode. */
export async function seedLarge(db: PrismaClient, opts: { hosts?: number; vms?: number; now?: Date } = {}): Promise<ImportResult> {
  const r = await importCluster(db, largeClusterSpec(opts), { now: opts.now, name: LARGE_CLUSTER_NAME });
  await markDemoCluster(db, r.clusterId);
  return r;
}

/**
 * Past incidents, their events and alerts. Open alerts are consistent with the seeded state
 * (the VMs flagged not HA-eligible really have no spare device elsewhere).
 */
async function seedDemoHistory(db: PrismaClient, r: ImportResult, now: Date): Promise<void> {
  const clusterId = r.clusterId;
  const H = r.hostIds;
  const V = r.vmIds;
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  const DAY = 86400;

  // Incident 1: kvm-b05 lost power three days ago; its HA VMs were rebuilt on kvm-b04 and kvm-a05.
  const t1 = 3 * DAY + 4 * 3600;
  const inc1 = await db.incident.create({
    data: {
      seq: 1,
      clusterId,
      hostId: H["kvm-b05"],
      kind: "host-failure",
      status: "closed",
      openedAt: ago(t1),
      detectedAt: ago(t1 - 3),
      failedAt: ago(t1 - 33),
      closedAt: ago(t1 - 45),
      summary: "kvm-b05 lost power; 6 HA VMs rebuilt on kvm-b04 and kvm-a05 in 41 s; scratch-01 (priority off) left down",
    },
  });
  const moved: [string, string, number][] = [
    ["web-04", "kvm-b04", 38],
    ["api-04", "kvm-a05", 38],
    ["mail-01", "kvm-b04", 39],
    ["redis-02", "kvm-a05", 39],
    ["ci-runner-01", "kvm-b04", 41],
    ["ci-runner-02", "kvm-a05", 41],
  ];
  // The events use the HA controller's kinds and data (lib/server/ha/controller.ts), so the seeded
  // history reads like a live one on the incident timeline.
  await db.event.createMany({
    data: [
      {
        at: ago(t1 - 3),
        kind: "host-unreachable",
        incidentId: inc1.id,
        hostId: H["kvm-b05"],
        message: "kvm-b05 missed 3 heartbeats (silent for 3s)",
        data: JSON.stringify({ lastHeartbeatAt: ago(t1).toISOString(), silentS: 3, missedHeartbeats: 3, heartbeatS: 1 }),
      },
      {
        at: ago(t1 - 3),
        kind: "countdown-started",
        incidentId: inc1.id,
        hostId: H["kvm-b05"],
        message: "kvm-b05 is declared failed in 30s unless it comes back",
        data: JSON.stringify({ failureTimeoutS: 30, failsAt: ago(t1 - 33).toISOString() }),
      },
      {
        at: ago(t1 - 33),
        kind: "host-failed",
        incidentId: inc1.id,
        hostId: H["kvm-b05"],
        message: "kvm-b05 did not come back within 30s: failed; its HA VMs are rebuilt elsewhere",
        data: JSON.stringify({ unreachableForS: 30, sinceLastHeartbeatS: 33 }),
      },
      {
        at: ago(t1 - 33),
        kind: "failover-planned",
        incidentId: inc1.id,
        hostId: H["kvm-b05"],
        message: `Failover of kvm-b05: ${moved.length} to restart, 0 without a host, 1 not restarted`,
        data: JSON.stringify({ order: moved.map(([vm, to]) => ({ vm, to })), unplaceable: [], skipped: [{ vm: "scratch-01", reason: "HA priority off" }] }),
      },
      ...moved.flatMap(([vm, to, at]) => [
        {
          at: ago(t1 - 33),
          kind: "vm-planned",
          incidentId: inc1.id,
          hostId: H[to],
          vmId: V[vm],
          message: `${vm} → ${to}: ${to} has free vCPU and memory; no device requests`,
          data: JSON.stringify({ purpose: "ha", from: "kvm-b05", to, generation: 1, devices: [], reasons: [`${to} has free vCPU and memory`, "no device requests"], attempt: 1, avoid: [] }),
        },
        { at: ago(t1 - 33), kind: "vm-start-sent", incidentId: inc1.id, hostId: H[to], vmId: V[vm], message: `${vm}: start sent to ${to}`, data: JSON.stringify({ generation: 1, attempt: 1 }) },
        {
          at: ago(t1 - at),
          kind: "vm-running",
          incidentId: inc1.id,
          hostId: H[to],
          vmId: V[vm],
          message: `${vm} is running on ${to} (${at}s after the incident began)`,
          data: JSON.stringify({ purpose: "ha", generation: 1, via: "ack", sinceIncidentS: at }),
        },
      ]),
      { at: ago(t1 - 33), kind: "vm-not-restarted", incidentId: inc1.id, vmId: V["scratch-01"], hostId: H["kvm-b05"], message: "scratch-01 is not restarted: HA priority off", data: JSON.stringify({ reason: "HA priority off" }) },
      { at: ago(t1 - 45), kind: "incident-closed", incidentId: inc1.id, hostId: H["kvm-b05"], message: `Incident 1 closed: ${moved.length} of ${moved.length + 1} VMs running again`, data: JSON.stringify({ durationS: 45 }) },
      { at: ago(t1 - 1800), kind: "host-online", incidentId: inc1.id, hostId: H["kvm-b05"], message: "kvm-b05 is back online" },
    ],
  });

  // Incident 2: both storage NICs of kvm-a05's bond failed yesterday (network-fault-triggered HA).
  const t2 = DAY + 2 * 3600;
  const inc2 = await db.incident.create({
    data: {
      seq: 2,
      clusterId,
      hostId: H["kvm-a05"],
      kind: "network-fault",
      status: "closed",
      openedAt: ago(t2),
      detectedAt: ago(t2 - 3),
      failedAt: ago(t2 - 33),
      closedAt: ago(t2 - 50),
      summary: "kvm-a05 lost both storage NICs of bond stor0; its VMs were stopped and rebuilt elsewhere",
    },
  });
  await db.event.createMany({
    data: [
      { at: ago(t2 + 40), kind: "nic-down", incidentId: inc2.id, hostId: H["kvm-a05"], message: "kvm-a05 ens2f0 link down: bond stor0 degraded" },
      { at: ago(t2), kind: "nic-down", incidentId: inc2.id, hostId: H["kvm-a05"], message: "kvm-a05 ens2f1 link down: bond stor0 has no link" },
      { at: ago(t2 - 33), kind: "network-fault-ha", incidentId: inc2.id, hostId: H["kvm-a05"], message: "kvm-a05 storage network down for 30 s: VMs stopped there and rebuilt elsewhere" },
      { at: ago(t2 - 50), kind: "vm-running", incidentId: inc2.id, hostId: H["kvm-b04"], vmId: V["db-pg-03"], message: "db-pg-03 is running on kvm-b04" },
      { at: ago(t2 - 3600), kind: "nic-up", incidentId: inc2.id, hostId: H["kvm-a05"], message: "kvm-a05 bond stor0 healthy again" },
    ],
  });

  // Incident 3: an hour ago ci-runner-03 crashed and was restarted on its own host.
  const t3 = 3600;
  const inc3 = await db.incident.create({
    data: {
      seq: 3,
      clusterId,
      hostId: H["kvm-a05"],
      kind: "vm-crash",
      status: "closed",
      openedAt: ago(t3),
      detectedAt: ago(t3 - 1),
      closedAt: ago(t3 - 7),
      summary: "ci-runner-03 crashed and was restarted locally on kvm-a05",
    },
  });
  await db.event.createMany({
    data: [
      { at: ago(t3), kind: "vm-crashed", incidentId: inc3.id, hostId: H["kvm-a05"], vmId: V["ci-runner-03"], message: "ci-runner-03 crashed on kvm-a05" },
      { at: ago(t3 - 1), kind: "vm-planned", incidentId: inc3.id, hostId: H["kvm-a05"], vmId: V["ci-runner-03"], message: "ci-runner-03 → kvm-a05 (local restart)", data: JSON.stringify({ purpose: "local-restart", to: "kvm-a05", reasons: ["restarted on its own host: its devices and disks are there"] }) },
      { at: ago(t3 - 1), kind: "vm-start-sent", incidentId: inc3.id, hostId: H["kvm-a05"], vmId: V["ci-runner-03"], message: "ci-runner-03: start sent to kvm-a05" },
      { at: ago(t3 - 7), kind: "vm-running", incidentId: inc3.id, hostId: H["kvm-a05"], vmId: V["ci-runner-03"], message: "ci-runner-03 is running on kvm-a05" },
    ],
  });

  type AlertIn = {
    kind: AlertKind;
    status: "open" | "acknowledged" | "resolved";
    entity: ["host" | "vm", string];
    incidentId?: string;
    message: string;
    raisedAt: Date;
    ackAt?: Date;
    resolvedAt?: Date;
    resolvedBy?: string;
    count?: number;
  };
  const alerts: AlertIn[] = [
    { kind: "HOST_UNREACHABLE", status: "resolved", entity: ["host", "kvm-b05"], incidentId: inc1.id, message: "kvm-b05 missed 3 heartbeats", raisedAt: ago(t1 - 3), resolvedAt: ago(t1 - 1800), resolvedBy: "auto" },
    { kind: "HOST_FAILED", status: "resolved", entity: ["host", "kvm-b05"], incidentId: inc1.id, message: "kvm-b05 failed; 6 HA VMs rebuilt, 1 left down (priority off)", raisedAt: ago(t1 - 33), ackAt: ago(t1 - 600), resolvedAt: ago(t1 - 1800), resolvedBy: "auto" },
    ...moved.map(([vm, to, at]): AlertIn => ({
      kind: "HA_REBUILD_SUCCEEDED" as const,
      status: vm === "web-04" ? "acknowledged" : "resolved",
      entity: ["vm", vm],
      incidentId: inc1.id,
      message: `${vm} rebuilt on ${to} ${at} s after kvm-b05 lost power`,
      raisedAt: ago(t1 - at),
      ...(vm === "web-04" ? { ackAt: ago(t1 - 600) } : { resolvedAt: ago(t1 - 600), resolvedBy: "admin@haven.local" }),
    })),
    { kind: "NIC_BOND_DEGRADED", status: "resolved", entity: ["host", "kvm-a05"], incidentId: inc2.id, message: "bond stor0 on kvm-a05: ens2f0 down", raisedAt: ago(t2 + 40), resolvedAt: ago(t2 - 3600), resolvedBy: "auto" },
    { kind: "NETWORK_FAULT_HA", status: "resolved", entity: ["host", "kvm-a05"], incidentId: inc2.id, message: "kvm-a05 lost its storage network: HA rebuilt its VMs elsewhere", raisedAt: ago(t2 - 33), ackAt: ago(t2 - 300), resolvedAt: ago(t2 - 3600), resolvedBy: "auto" },
    { kind: "VM_HA_INELIGIBLE", status: "open", entity: ["vm", "ml-train-01"], message: `ml-train-01 is not HA-eligible: no other host has 1 free GPU tagged "NVIDIA A100-PCIE-40GB.compute"`, raisedAt: ago(2 * DAY) },
    { kind: "VM_HA_INELIGIBLE", status: "open", entity: ["vm", "ml-batch-01"], message: `ml-batch-01 is not HA-eligible: no other host has 2 free vGPU slots tagged "NVIDIA A100-PCIE-40GB/A100-8C"`, raisedAt: ago(2 * DAY) },
    { kind: "VM_HA_INELIGIBLE", status: "open", entity: ["vm", "render-02"], message: "render-02 is not HA-eligible: it asks for GPU kvm-a01-gpu1 by name, which no other host can supply", raisedAt: ago(2 * DAY) },
    { kind: "VM_HA_INELIGIBLE", status: "acknowledged", entity: ["vm", "video-enc-01"], message: `video-enc-01 is not HA-eligible: no other host has 1 free GPU tagged "NVIDIA L4"`, raisedAt: ago(2 * DAY), ackAt: ago(DAY) },
  ];
  await db.alert.createMany({
    data: alerts.map((a) => {
      const [entityType, entityName] = a.entity;
      const entityId = entityType === "host" ? H[entityName] : V[entityName];
      const live = a.status !== "resolved";
      return {
        kind: a.kind,
        severity: ALERT_SEVERITY[a.kind],
        status: a.status,
        entityType,
        entityId,
        entityName,
        // the HA controller's dedup key, so it refreshes these instead of opening twins
        activeKey: live ? alertKey(a.kind, { type: entityType, id: entityId }) : null,
        hostId: entityType === "host" ? entityId : null,
        vmId: entityType === "vm" ? entityId : null,
        incidentId: a.incidentId ?? null,
        message: a.message,
        count: a.count ?? 1,
        raisedAt: a.raisedAt,
        lastSeenAt: a.resolvedAt ?? a.raisedAt,
        ackAt: a.ackAt ?? null,
        ackBy: a.ackAt ? "admin@haven.local" : null,
        ackNote: a.ackAt ? "Known; tracked in the capacity plan" : null,
        resolvedAt: a.resolvedAt ?? null,
        resolvedBy: a.resolvedBy ?? null,
      };
    }),
  });
}
