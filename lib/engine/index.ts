// Haven's engine: pure TypeScript decisions with reasons over a cluster snapshot.
export * from "./types";
export { gpuTag, vgpuTag, isValidTagName, hostDevicePools, clusterTagSummary, gpuDeviceTag, type TagSummary } from "./tags";
export { placeVm, buildCapacity, Capacity } from "./placement";
export type { CapacityPlaceOptions, Placed, Unplaceable, HostReserve } from "./capacity";
export { haEligibility, planFailover, planLocalRestart, planFailoverOn, failoverOrder } from "./ha";
export { assessGuarantee, admitPowerOn } from "./admission";
export { planFailback, type FailbackPlan, type FailbackMove, type FailbackOptions } from "./failback";
export { protectionOf, type NotProtected } from "./protection";
export { planEvacuation, vmOperationAllowed, planGpuModeSwitch, hasDevices, type VmOperation } from "./maintenance";
export { whatIfAll } from "./whatif";
export { allocateAddress, createAddressAllocator, validateStaticAddress, poolSize, validateNetworkConfig, type IpamNetwork, type AddressAllocator } from "./ipam";
export { sessionsPerDisk, planStorageSessions } from "./storage-path";
export { fmtMem } from "./format";
export { nextHostState, observedBetween, NO_STALLS, type LivenessHost, type LivenessTiming, type DetectorView, type HostTransition, type LivenessDecision } from "./liveness";
export { VM_POWER_STATES, VM_POWER_TRANSITIONS, vmPowerTransitionAllowed, isVmPowerState, type VmPowerState } from "./vm-state";
