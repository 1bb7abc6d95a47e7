// POST /api/v1/vms/{id}/power-off — stops the VM (its devices and addresses are released once it
// is off). Operators and admins; audited.
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { vmIdOf } from "@/lib/server/api-v1/resources";
import { ZPowerOffResult } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";
import { powerOffVmAs } from "@/lib/server/ops";

export const POST = withProblems("v1.vms.power-off", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await caller(req, "operator");
  const vmId = await vmIdOf(await idParam(ctx));
  return answer(ZPowerOffResult, await powerOffVmAs({ vmId }, { principal }));
});
