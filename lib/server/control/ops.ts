import "server-only";
// What the console's pages, actions and routes ask of the HA controller, as one table of
// operations run WHERE THE CONTROLLER RUNS: in the controller process (lib/server/control/main.ts)
// when the console serves pages from another process, or in this process when the controller is
// local (tests, the scenario runner, HAVEN_CONTROLLER=inline). Arguments and results are plain
// data (structured clone over the process channel); failures are AppErrors.
import { powerOffVm, powerOnVm } from "@/lib/server/ha/vm-power";
import { confirmHostPoweredOff, enterMaintenance, exitMaintenance, migrateVm, retryVm } from "@/lib/server/ha/maintenance";
import { getController } from "@/lib/server/ha/controller";
import { applyToController, type HaSettings } from "@/lib/server/settings";
import { applyDemoFault, demoHostStatus, demoVmRunning, requireDemoFleet } from "@/lib/server/demo/faults";
import { getDemoFleetThread, type DemoFleetThread } from "@/lib/server/demo/fleet-threaded";
import { isDemoMode } from "@/lib/server/demo/mode";
import type { TDemoFaultResult } from "@/lib/schemas/demo";

/** The demo fleet's thread, when it runs and the store is in demo mode (else the in-process fleet is asked). */
function demoThread(): DemoFleetThread | null {
  const t = getDemoFleetThread();
  if (t && !isDemoMode()) throw new AppError("NOT_FOUND", "Fault injection exists only in demo mode (HAVEN_DEMO=1) with the simulated fleet running");
  return t;
}
import { answerAgentCall } from "@/lib/server/http/agent-listener";
import { HttpError, MAX_BODY_BYTES, checkJsonContentType, parseJsonBody, type ResponseParts } from "@/lib/server/http/problem";
import { AppError } from "@/lib/server/errors";

/** An agent-protocol request forwarded from a Next route handler (body as text, read within the limit). */
export interface ForwardedAgentCall {
  method: string;
  path: string;
  authorization: string | null;
  contentType: string | null;
  body: string | null;
}

function controller() {
  const c = getController();
  if (!c) throw new AppError("UNAVAILABLE", "The HA controller is not running");
  return c;
}

export const controlOps = {
  powerOnVm: (vmId: string, opts: { by?: string }) => powerOnVm(vmId, opts),
  powerOffVm: (vmId: string, opts: { by?: string }) => powerOffVm(vmId, opts),
  enterMaintenance: (hostId: string, opts: { by?: string; rebuildDeviceVms?: boolean }) => enterMaintenance(hostId, opts),
  exitMaintenance: (hostId: string, opts: { by?: string }) => exitMaintenance(hostId, opts),
  /** An admin confirms a silent host is powered off (the caller audits it; the result names the VMs). */
  confirmHostOff: (hostId: string, opts: { by?: string }) => confirmHostPoweredOff(hostId, opts),
  retryVm: (vmId: string, opts: { by?: string }) => retryVm(vmId, opts),
  migrateVm: (vmId: string, toHostId: string, opts: { by?: string }) => migrateVm(vmId, toHostId, opts),
  /** An operator resolved an alert: the controller may raise it again if its condition persists. */
  alertResolved: async (key: string) => {
    const c = controller();
    c.alerts.forget(key);
    c.notifyChanged({ inventory: true });
  },
  notifyChanged: async (what: { capacity?: boolean; inventory?: boolean }) => controller().notifyChanged(what),
  applySettings: async (s: HaSettings) => applyToController(s),
  unavailableHostIds: async () => controller().unavailableHostIds(),
  // The demo fleet runs on its own thread in the controller's process (fleet-threaded.ts), or in
  // process (HAVEN_DEMO_FLEET_THREAD=0, HAVEN_CONTROLLER=inline).
  demoFault: (input: unknown) => {
    const t = demoThread();
    return t ? t.call<TDemoFaultResult>("fault", input) : applyDemoFault(input, requireDemoFleet());
  },
  demoHostStatus: async (hostIdOrName: string) => {
    const t = getDemoFleetThread();
    if (t) return isDemoMode() ? t.call<ReturnType<typeof demoHostStatus>>("hostStatus", hostIdOrName) : null;
    return demoHostStatus(hostIdOrName);
  },
  demoVmRunning: async (vmId: string) => {
    const t = getDemoFleetThread();
    if (t) return isDemoMode() ? t.call<boolean | null>("vmRunning", vmId) : null;
    return demoVmRunning(vmId);
  },
  demoAvailable: async () => {
    if (!demoThread()) requireDemoFleet();
    return true;
  },
  agent: (call: ForwardedAgentCall): Promise<ResponseParts> =>
    answerAgentCall(
      {
        method: call.method,
        path: call.path,
        authorization: call.authorization,
        body: async () => {
          checkJsonContentType(call.contentType);
          if (call.body !== null && Buffer.byteLength(call.body) > MAX_BODY_BYTES) throw new HttpError(413, `The body is larger than ${MAX_BODY_BYTES} bytes`);
          return parseJsonBody(call.body ?? "");
        },
      },
      "agent-route",
    ),
  /** The controller process's metrics registry (Prometheus text): GET /api/metrics serves it with the store's gauges. */
  metrics: async () => {
    const { controllerMetricsText, instrumentController } = await import("@/lib/server/metrics/controller");
    const c = getController();
    if (c) instrumentController(c); // idempotent: main.ts instruments at start; an inline controller from the first scrape
    return controllerMetricsText();
  },
  health: async () => {
    const { getHealth } = await import("@/lib/server/runtime");
    return getHealth();
  },
} satisfies Record<string, (...args: never[]) => Promise<unknown>>;

export type ControlOps = typeof controlOps;
export type ControlOp = keyof ControlOps;
