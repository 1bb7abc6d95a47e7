// POST /api/v1/demo/faults — inject a fault into the demo cluster's simulated fleet
// (demo mode only: 404 otherwise). Body: lib/schemas/demo.ts ZDemoFault. Operators and admins.
import { requireRequestRole } from "@/lib/server/auth/request";
import { control, controllerAttached } from "@/lib/server/control/client";
import { AppError } from "@/lib/server/errors";
import { json, readJson, withProblems } from "@/lib/server/http/problem";
import { applyDemoFaultAs } from "@/lib/server/ops";

export const POST = withProblems("demo.faults", async (req: Request) => {
  const principal = await requireRequestRole(req, "operator");
  // No controller for this console at all: there is no fleet, so no fault API (404, as with demo mode off).
  if (!controllerAttached()) throw new AppError("NOT_FOUND", "Fault injection exists only in demo mode, with the simulated fleet running");
  await control("demoAvailable");
  return json(await applyDemoFaultAs(await readJson(req, 16 * 1024), { principal }));
});
