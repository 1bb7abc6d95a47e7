// POST /api/v1/vms/{id}/power-on — the engine places the VM and it starts; refused (409) with
// every host's rejection reasons. Operators and admins; audited.
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { vmIdOf } from "@/lib/server/api-v1/resources";
import { ZPowerOnResult } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";
import { powerOnVmAs } from "@/lib/server/ops";

export const POST = withProblems("v1.vms.power-on", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await caller(req, "operator");
  const vmId = await vmIdOf(await idParam(ctx));
  return answer(ZPowerOnResult, await powerOnVmAs({ vmId }, { principal }));
});
