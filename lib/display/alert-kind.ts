// Alert kinds in words (the store keeps HOST_UNREACHABLE, HA_REBUILD_SUCCEEDED …).
export const ALERT_KIND_LABELS: Record<string, string> = {
  HOST_UNREACHABLE: "Host unreachable",
  HOST_FAILED: "Host failed",
  HA_REBUILD_SUCCEEDED: "HA rebuild succeeded",
  HA_REBUILD_FAILED: "HA rebuild failed",
  LOCAL_REBUILD_FAILED: "Local restart failed",
  NETWORK_FAULT_HA: "Network-fault-triggered HA",
  HA_CAPACITY_INSUFFICIENT: "Failover capacity lost",
  NIC_BOND_DEGRADED: "Storage bond degraded",
  STORAGE_PATH_REDIRECTED: "Storage path redirected",
  VM_HA_INELIGIBLE: "VM not HA-eligible",
  VM_STATE_UNKNOWN: "VM state unknown",
  DEVICE_FAILED: "Device failed",
};

/** "HA_REBUILD_SUCCEEDED" → "HA rebuild succeeded"; an unknown kind in sentence case. */
export function alertKindLabel(kind: string): string {
  return ALERT_KIND_LABELS[kind] ?? kind.toLowerCase().replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}
