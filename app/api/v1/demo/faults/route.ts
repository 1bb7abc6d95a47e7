// POST /api/v1/demo/faults — inject a fault into the demo cluster's simulated fleet
// (demo mode only: 404 otherwise). Body: lib/schemas/demo.ts ZDemoFault. Operators and admins.
import { requireRequestRole } from "@/lib/server/auth/request";
import { requireDemoFleet } from "@/lib/server/demo/faults";
import { json, readJson, withProblems } from "@/lib/server/http/problem";
import { applyDemoFaultAs } from "@/lib/server/ops";

export const POST = withProblems("demo.faults", async (req: Request) => {
  const principal = await requireRequestRole(req, "operator");
  requireDemoFleet();
  return json(await applyDemoFaultAs(await readJson(req, 16 * 1024), { principal }));
});
