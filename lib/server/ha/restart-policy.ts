import "server-only";
// The restart policy (Vm.restartMaxRestarts / restartMaxRelocations, else the cluster's): after a
// failed start or a crash, what comes next — a restart on the same host, a relocation, or giving
// up (the VM is `error`, HA_REBUILD_FAILED says why, until an admin retries it). The counts live
// in memory (a restarted controller starts them afresh).
import type { HaContext } from "./context";
import { createCommand, releaseHold, setPower } from "./executor";
import { settle } from "./incidents";

/** The VM's restart policy: its own, else the cluster's (null relocations: no limit). */
async function restartPolicy(ctx: HaContext, vmId: string): Promise<{ maxRestarts: number; maxRelocations: number | null }> {
  const vm = await ctx.db.vm.findUnique({ where: { id: vmId }, select: { restartMaxRestarts: true, restartMaxRelocations: true } });
  return {
    maxRestarts: vm?.restartMaxRestarts ?? ctx.policy.maxRestarts,
    maxRelocations: vm?.restartMaxRelocations ?? ctx.policy.maxRelocations,
  };
}

/**
 * A start of the VM failed on `hostId`, or it crashed there: what its restart policy allows next.
 * Restarts count per host (a relocation starts the count again on the new host); relocations
 * count from the first failure until the VM runs again (or an admin retries it). Every start
 * after a failure counts, an admin's power-on included.
 */
export async function afterFailure(ctx: HaContext, vmId: string, hostId: string): Promise<{ action: "restart" | "relocate" | "give-up"; why: string }> {
  const pol = await restartPolicy(ctx, vmId);
  const st = ctx.restartState.get(vmId) ?? { hostId, restarts: 0, relocations: 0 };
  ctx.restartState.set(vmId, st);
  if (st.hostId !== hostId) {
    st.hostId = hostId;
    st.restarts = 0;
  }
  if (st.restarts < pol.maxRestarts) {
    st.restarts++;
    return { action: "restart", why: "" };
  }
  if (pol.maxRelocations === null || st.relocations < pol.maxRelocations) {
    st.relocations++;
    st.hostId = null;
    st.restarts = 0;
    return { action: "relocate", why: "" };
  }
  return {
    action: "give-up",
    why: `its restart policy is spent (${pol.maxRestarts} restart${pol.maxRestarts === 1 ? "" : "s"} on the same host, ${pol.maxRelocations} relocation${pol.maxRelocations === 1 ? "" : "s"} after a failure; the last failure was on ${ctx.hostName(hostId)}): it waits for an admin to retry it`,
  };
}

/** The restart policy is spent: `error`, nothing held, HA_REBUILD_FAILED says why. */
export async function markError(ctx: HaContext, vmId: string, why: string, incidentId: string | null, stopOn: string | null): Promise<void> {
  const at = ctx.at();
  settle(ctx, vmId);
  await ctx.tx(async (tx, s) => {
    const before = await tx.vm.findUniqueOrThrow({ where: { id: vmId } });
    if (stopOn) {
      await createCommand(ctx, tx, s, { hostId: stopOn, vmId, kind: "stop-vm", generation: before.generation, payload: { vmName: before.name, reason: "stale", incidentId } });
      ctx.stopsSent.set(`${stopOn}|${vmId}|${before.generation}`, at.getTime());
    }
    await releaseHold(tx, vmId);
    await setPower(ctx, tx, vmId, "error", { hostId: null, powerSince: at }, before.power);
    await s.sink.record(tx, { at, kind: "vm-error", vmId, hostId: before.hostId, incidentId, message: `${before.name} is in error: ${why}`, data: { reason: why } });
    await ctx.alerts.raise(tx, {
      kind: "HA_REBUILD_FAILED",
      entity: { type: "vm", id: vmId, name: before.name },
      at,
      hostId: before.hostId,
      incidentId,
      message: `${before.name} is not restarted: ${why}`,
    });
  });
  ctx.capacityChanged = true;
  ctx.evalNeeded = true;
}

