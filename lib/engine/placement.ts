// Placement of one VM: filter hosts, score the fitting ones, pick deterministically.
import type { ClusterSnapshot, PlaceOptions, PlacementOutcome } from "./types";
import { buildCapacity, Capacity } from "./capacity";
import { reserveFor } from "./admission";

export { buildCapacity, Capacity };
export type { CapacityPlaceOptions, Placed, Unplaceable, HostReserve } from "./capacity";

/**
 * Place one VM. Its own current allocations and host usage are released first; every other VM
 * with a host holds its vCPU, memory and devices there. Failed, unreachable, isolated and
 * maintenance hosts are never candidates. In Guarantee mode a "power-on" keeps the reserve
 * intact unless `ignoreReserve`.
 */
export function placeVm(snapshot: ClusterSnapshot, vmId: string, opts: PlaceOptions = {}): PlacementOutcome {
  const cap = buildCapacity(snapshot);
  const purpose = opts.purpose ?? "power-on";
  if (snapshot.policy.haMode === "guarantee" && purpose === "power-on" && !opts.ignoreReserve) {
    cap.setReserve(reserveFor(cap, vmId));
  }
  return cap.place(vmId, { ...opts, explain: true });
}
