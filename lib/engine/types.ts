// The engine's input and output types. lib/engine is pure: no I/O, no clock, no randomness.
// Services map store rows into a ClusterSnapshot; the engine returns decisions with reasons.

export type DeviceType = "gpu" | "vgpu" | "sriov";
export type HostState = "online" | "unreachable" | "failed" | "maintenance" | "isolated";
export type HaPriority = "high" | "medium" | "low" | "off";
export type HaMode = "default" | "guarantee" | "disabled";
export type Reservation = "host" | "segment";
export type GpuMode = "graphics" | "compute";
export type NicRole = "vm" | "storage" | "management";
/** Store-level VM power states. A VM holds resources on `hostId` whenever hostId is set. */
export type VmPower = "running" | "stopped" | "pending" | "starting" | "stopping" | "migrating" | "error";
export type PlacementGroupType = "vm-host" | "vm-vm-affinity" | "vm-vm-anti-affinity" | "zone";
export type Enforcement = "must" | "should";
export type ZoneRole = "primary" | "secondary";

export interface SnapshotGpu {
  id: string;
  name: string; // "h1-gpu0"
  model: string; // "NVIDIA Tesla M60"
  mode: GpuMode;
  /** Partitioned into vGPU slots of one profile; absent for a whole (passthrough) GPU. */
  vgpu?: { profile: string; slots: number } | null;
}

export interface SnapshotNic {
  id: string;
  name: string;
  role: NicRole;
  sriovVfs: number;
  tag?: string | null;
  bond?: string | null;
  linkUp: boolean;
}

export interface SnapshotHost {
  id: string;
  name: string;
  zone?: string | null; // zone name
  cpus: number;
  memoryMiB: number;
  state: HostState;
  storageControllerPresent: boolean;
  storageControllerHealthy: boolean;
  gpus: SnapshotGpu[];
  nics: SnapshotNic[];
}

export interface DeviceRequest {
  type: DeviceType;
  tag: string;
  count: number;
  /** A passthrough GPU named exactly (type "gpu" only). */
  gpuId?: string | null;
}

/** One concrete device unit given to a VM. `key` is what the store's unique constraint holds. */
export interface DeviceAllocation {
  key: string; // "gpu:<gpuId>" | "vgpu:<gpuId>:<slot>" | "vf:<nicId>:<vf>"
  type: DeviceType;
  tag: string;
  hostId: string;
  gpuId?: string | null;
  slot?: number | null;
  nicId?: string | null;
  vf?: number | null;
}

export interface SnapshotVm {
  id: string;
  name: string;
  vcpus: number;
  memoryMiB: number;
  haPriority: HaPriority;
  power: VmPower;
  /** Where it holds resources (running, starting, stopping, migrating); null when off or pending. */
  hostId?: string | null;
  devices: DeviceRequest[];
  allocations: DeviceAllocation[];
  hostAffinity: string[]; // host ids; empty = any
  disks: { index: number; sizeGiB: number }[];
}

export interface SnapshotPlacementGroup {
  id: string;
  name: string;
  type: PlacementGroupType;
  enforcement: Enforcement;
  vmIds: string[];
  hostIds: string[]; // vm-host groups
  zone?: string | null; // zone groups: zone name
  /**
   * vm-host groups: host ids ranked, first most preferred. Placement (power-on, failover,
   * evacuation) takes the best-ranked host that fits, the score deciding among equal ranks;
   * failback moves VMs back up the order (planFailback).
   */
  hostOrder?: string[] | null;
  /** vm-host groups with hostOrder: false opts the group out of failback; absent/null: the cluster's setting. */
  failback?: boolean | null;
}

export interface SnapshotZone {
  name: string;
  role: ZoneRole;
}

export interface ClusterPolicy {
  haMode: HaMode;
  faultTolerance: 1 | 2;
  reservation: Reservation;
  /** Standard VMs away from their preferred host move back when it has room (planFailback). Default true. */
  failback?: boolean;
}

export interface ClusterSnapshot {
  policy: ClusterPolicy;
  zones: SnapshotZone[];
  hosts: SnapshotHost[];
  vms: SnapshotVm[];
  groups: SnapshotPlacementGroup[];
}

/** Why one host was rejected (or penalised) for one VM, worded for an admin. */
export interface HostRejection {
  hostId: string;
  hostName: string;
  reasons: string[];
}

export type PlacementOutcome =
  | {
      kind: "placed";
      vmId: string;
      hostId: string;
      hostName: string;
      allocations: DeviceAllocation[];
      /** Why this host: score terms, soft-rule penalties, runner-up. */
      reasons: string[];
      /** Hosts that were not fit, with their reasons (for the explanation view). */
      rejections: HostRejection[];
    }
  | { kind: "unplaceable"; vmId: string; reasons: string[]; rejections: HostRejection[] };

// ---- Engine API outputs (implemented in lib/engine/*, re-exported from lib/engine/index.ts) ----

export type PlacementPurpose = "power-on" | "ha" | "evacuate" | "local-restart";

export interface PlaceOptions {
  purpose?: PlacementPurpose; // default "power-on"
  /** Hosts that must not be used (failed start targets, the host being evacuated, failed hosts). */
  excludeHostIds?: string[];
  /** Restrict candidates (local restart: the VM's own host). */
  onlyHostIds?: string[];
  /** Skip the Guarantee-mode reserve check (HA restarts may consume the reserve). */
  ignoreReserve?: boolean;
}

/** `placeVm(snapshot, vmId, opts?) => PlacementOutcome`. The VM's own current allocations are released first. */
export type PlaceVm = (snapshot: ClusterSnapshot, vmId: string, opts?: PlaceOptions) => PlacementOutcome;

export interface HaEligibility {
  vmId: string;
  eligible: boolean;
  /** Empty when eligible; otherwise e.g. 'no other host has 1 free sriov device tagged "trading-a"'. */
  reasons: string[];
  /** The host it runs on; for a VM that is not running, the host it would be powered on now (null: none has room). */
  host?: { id: string; name: string } | null;
  /** A VM that is not running: one sentence on where it would run and whether another host could take it over. */
  summary?: string;
}

export interface FailoverPlan {
  failedHostIds: string[];
  /** In restart order (high → medium → low, then scarcest and largest first). */
  placements: Extract<PlacementOutcome, { kind: "placed" }>[];
  unplaceable: Extract<PlacementOutcome, { kind: "unplaceable" }>[];
  /** VMs of the failed hosts not restarted by HA (priority off, HA disabled), with why. */
  skipped: { vmId: string; reason: string }[];
}

export interface GuaranteeAssessment {
  haMode: HaMode;
  faultTolerance: 1 | 2;
  reservation: Reservation;
  /** How many simultaneous host failures the cluster absorbs now (0..faultTolerance, or more). */
  toleratedFailures: number;
  /** Capacity each host keeps free for failover. */
  reservePerHost: { hostId: string; cpus: number; memoryMiB: number; devices: { type: DeviceType; tag: string; count: number }[] }[];
  /** Each failure set (of size faultTolerance) that cannot be absorbed, with why. */
  unabsorbable: { hostIds: string[]; reasons: string[] }[];
  /**
   * Running HA VMs the guarantee cannot protect: only one host of the inventory could ever run
   * them (a GPU named exactly, a tag or size one host has, a must rule naming one host), by VM
   * name. In Guarantee mode they are left out of the absorbability check (no added capacity could
   * restart them); in the other modes they are listed here and still counted in `unabsorbable`.
   */
  notProtected: { vmId: string; vmName: string; hostIds: string[]; reasons: string[] }[];
}

export type AdmissionOutcome =
  | { allowed: true; placement: Extract<PlacementOutcome, { kind: "placed" }> }
  | { allowed: false; reasons: string[]; rejections: HostRejection[] };

export interface EvacuationPlan {
  hostId: string;
  migrations: { vmId: string; toHostId: string; reasons: string[] }[];
  /** Device VMs that cannot live-migrate: powered off, started again on maintenance exit. */
  powerOffs: { vmId: string; reason: string }[];
  /** Device VMs rebuilt elsewhere (only when asked and tags allow). */
  rebuilds: Extract<PlacementOutcome, { kind: "placed" }>[];
  /** Standard VMs with nowhere to go: they block entering maintenance. */
  blocked: { vmId: string; reasons: string[] }[];
}

export interface StorageSessionPlan {
  vmId: string;
  diskIndex: number;
  session: number;
  controllerHostId: string;
  redirected: boolean;
  /** Set when no healthy controller exists at all: the session stays on the local one (down) until one returns. */
  unavailable?: boolean;
  /** Why the session is redirected or unavailable, worded for an admin. */
  reason?: string;
}
