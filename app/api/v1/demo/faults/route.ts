// POST /api/v1/demo/faults — inject a fault into the demo cluster's simulated fleet
// (demo mode only: 404 otherwise). Body: lib/schemas/demo.ts ZDemoFault.
import { applyDemoFault, requireDemoFleet } from "@/lib/server/demo/faults";
import { json, readJson, withProblems } from "@/lib/server/http/problem";

export const POST = withProblems("demo.faults", async (req: Request) => {
  const fleet = requireDemoFleet();
  return json(await applyDemoFault(await readJson(req, 16 * 1024), fleet));
});
