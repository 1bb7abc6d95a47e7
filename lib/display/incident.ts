// An incident's title from what its events say, not only from the kind it was opened with: a
// "vm-crash" incident names the VM that crashed ("web-01 crashed on host-03"), and an incident whose
// events record a host going unreachable or failing is titled by that host, never "VM crash".

export interface IncidentTitleInput {
  seq: number;
  kind: string;
  host: { name: string } | null;
  /** The kinds of the incident's events (any order). */
  eventKinds: readonly string[];
  /** Names of the VMs the incident's crash events name, in order. */
  crashedVms: readonly string[];
}

const HOST_EVENTS = new Set(["host-unreachable", "host-failed", "countdown-started"]);

/** What happened, as the title's words: "Host failure of host-03", "web-01 crashed on host-03". */
export function incidentWhat(i: Omit<IncidentTitleInput, "seq">): string {
  const on = i.host ? ` of ${i.host.name}` : "";
  const hostEvent = i.eventKinds.some((k) => HOST_EVENTS.has(k));
  if (i.kind === "host-failure" || (i.kind === "vm-crash" && hostEvent)) {
    const failed = i.eventKinds.includes("host-failed");
    return failed || i.kind === "host-failure" ? `Host failure${on}` : `Host unreachable${on}`;
  }
  if (i.kind === "network-fault") return `Storage network fault${on}`;
  if (i.kind === "isolation") return `Isolation${on}`;
  if (i.kind === "vm-crash") {
    const where = i.host ? ` on ${i.host.name}` : "";
    if (i.crashedVms.length === 1) return `${i.crashedVms[0]} crashed${where}`;
    if (i.crashedVms.length > 1) return `${i.crashedVms.length} VMs crashed${where}`;
    return `VM crash${where}`;
  }
  return `${i.kind}${on}`;
}

export function incidentTitle(i: IncidentTitleInput): string {
  return `Incident #${i.seq}: ${incidentWhat(i)}`;
}
