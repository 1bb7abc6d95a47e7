import "server-only";
// Power on / power off, as the console (and the scenario runner) asks for them. Placement and
// Guarantee-mode admission are the engine's; this persists the decision and queues the command.
import { admitPowerOn, placeVm, type HostRejection, type Placed } from "@/lib/engine";
import { AppError, type FieldErrors } from "@/lib/server/errors";
import { getController, type HaController } from "./controller";
import { applyPlacement, failCommands, releaseHold, requestPowerOff, setPower } from "./executor";

export interface PowerOnResult {
  vmId: string;
  hostId: string;
  hostName: string;
  reasons: string[];
}

function requireController(ctl?: HaController | null): HaController {
  const c = ctl ?? getController();
  if (!c) throw new AppError("UNAVAILABLE", "The HA controller is not running in this process");
  return c;
}

function refusal(vmName: string, reasons: string[], rejections: HostRejection[]): AppError {
  const fieldErrors: FieldErrors = {};
  for (const r of rejections) fieldErrors[`hosts.${r.hostName}`] = r.reasons;
  const perHost = rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`);
  const text = [...reasons, ...perHost].join(" | ") || "no host fits";
  return new AppError("CONFLICT", `${vmName} cannot be powered on: ${text}`, fieldErrors);
}

/**
 * A VM of unknown state (it opted out of the isolation response and its host is silent) may still
 * run there: nothing starts it elsewhere, and nothing can stop it, until the host reports again or
 * an admin confirms the host is powered off.
 */
export function unknownRefusal(c: HaController, vm: { name: string; hostId: string | null; powerSince: Date }, what: string): AppError {
  const host = c.hostName(vm.hostId) ?? "its host";
  return new AppError(
    "CONFLICT",
    `${vm.name} cannot be ${what}: its state is unknown since ${vm.powerSince.toISOString()} — it keeps running when isolated and ${host} is silent, so it may still run there. Wait for ${host} to report again, or confirm that ${host} is powered off.`,
  );
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}

/**
 * Powers a VM on: the engine places it (Guarantee mode: admission keeps the reserve), the store
 * gets devices, addresses and storage sessions in one transaction with the start-vm command.
 * Refused → AppError CONFLICT naming every host's reasons; the VM stays stopped.
 */
export async function powerOnVm(vmId: string, opts: { by?: string } = {}, ctl?: HaController | null): Promise<PowerOnResult> {
  const c = requireController(ctl);
  return c.exclusive(async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const vm = await c.db.vm.findUnique({ where: { id: vmId } });
      if (!vm) throw new AppError("NOT_FOUND", `VM ${vmId} not found`);
      if (["running", "starting", "migrating"].includes(vm.power)) throw new AppError("CONFLICT", `${vm.name} is already ${vm.power}`);
      if (vm.power === "unknown") throw unknownRefusal(c, vm, "powered on");
      if (vm.power === "stopping") throw new AppError("CONFLICT", `${vm.name} is being stopped; try again when it is off`);
      const snap = await c.snapshot();
      let placed: Placed;
      if (c.haMode === "guarantee") {
        const adm = admitPowerOn(snap, vmId);
        if (!adm.allowed) {
          await c.runTx(async (tx, s) => {
            await s.sink.record(tx, {
              at: new Date(c.clock.now()),
              kind: "vm-power-on-refused",
              vmId,
              message: `${vm.name} power-on refused: ${adm.reasons.join("; ")}`,
              data: { reasons: adm.reasons, rejections: adm.rejections, by: opts.by ?? null },
            });
          });
          throw refusal(vm.name, adm.reasons, adm.rejections);
        }
        placed = adm.placement;
      } else {
        const out = placeVm(snap, vmId, { purpose: "power-on", excludeHostIds: c.unavailableHostIds() });
        if (out.kind !== "placed") {
          await c.runTx(async (tx, s) => {
            await s.sink.record(tx, {
              at: new Date(c.clock.now()),
              kind: "vm-power-on-refused",
              vmId,
              message: `${vm.name} power-on refused: ${out.reasons.join("; ")}`,
              data: { reasons: out.reasons, rejections: out.rejections, by: opts.by ?? null },
            });
          });
          throw refusal(vm.name, out.reasons, out.rejections);
        }
        placed = out;
      }
      try {
        await c.runTx(async (tx, s) => {
          // Guard against a concurrent power-on of the same VM (another console instance).
          const claimed = await tx.vm.updateMany({ where: { id: vmId, power: { in: ["stopped", "pending", "error"] } }, data: { desiredPower: "on" } });
          if (claimed.count !== 1) throw new AppError("CONFLICT", `${vm.name} changed state meanwhile`);
          await applyPlacement(c.ctx, tx, s, snap, placed, { purpose: "power-on", incidentId: null, attempt: 1, avoid: [], note: opts.by ? `powered on by ${opts.by}` : undefined });
        });
        c.notifyChanged({ inventory: true });
        return { vmId, hostId: placed.hostId, hostName: placed.hostName, reasons: placed.reasons };
      } catch (e) {
        if (isUniqueViolation(e)) continue; // a device or address was taken meanwhile: decide again
        if ((e as { code?: string }).code === "IPAM") throw new AppError("CONFLICT", `${vm.name} cannot be powered on: ${(e as Error).message}`);
        throw e;
      }
    }
    throw new AppError("CONFLICT", "The VM's devices kept being taken by concurrent power-ons; try again");
  });
}

/**
 * Powers a VM off: stop-vm is queued; its devices and storage sessions are released when the
 * agent confirms the stop (IP leases stay with the VM while it exists). A pending VM just stops
 * waiting.
 */
export async function powerOffVm(vmId: string, opts: { by?: string } = {}, ctl?: HaController | null): Promise<{ vmId: string; power: string }> {
  const c = requireController(ctl);
  return c.exclusive(async () => {
    const vm = await c.db.vm.findUnique({ where: { id: vmId } });
    if (!vm) throw new AppError("NOT_FOUND", `VM ${vmId} not found`);
    const at = new Date(c.clock.now());
    if (vm.power === "stopped" || vm.power === "stopping") return { vmId, power: vm.power };
    if (vm.power === "unknown") throw unknownRefusal(c, vm, "powered off");
    if (vm.power === "migrating") throw new AppError("CONFLICT", `${vm.name} is live-migrating; power it off when the migration ends`);
    if (!vm.hostId || vm.power === "pending" || vm.power === "error") {
      await c.runTx(async (tx, s) => {
        await releaseHold(tx, vmId);
        await setPower(c.ctx, tx, vmId, "stopped", { desiredPower: "off", hostId: null, powerSince: at }, vm.power);
        await failCommands(tx, { vmId, status: "blocked" }, "powered off");
        await c.alerts.clear(tx, "HA_REBUILD_FAILED", { type: "vm", id: vmId }, at);
        await s.sink.record(tx, { at, kind: "vm-powered-off", vmId, message: `${vm.name} powered off${opts.by ? ` by ${opts.by}` : ""} (it was ${vm.power})` });
      });
      c.notifyChanged();
      return { vmId, power: "stopped" };
    }
    await c.runTx(async (tx, s) => {
      await requestPowerOff(c.ctx, tx, s, { ...vm, hostId: vm.hostId! }, "power-off", { desiredPower: "off", restartOnMaintenanceExit: false, powerSince: at });
      await s.sink.record(tx, {
        at,
        kind: "vm-stop-sent",
        vmId,
        hostId: vm.hostId,
        message: `${vm.name}: power-off${opts.by ? ` by ${opts.by}` : ""} sent to ${c.hostName(vm.hostId)}`,
        data: { reason: "power-off" },
      });
    });
    return { vmId, power: "stopping" };
  });
}
