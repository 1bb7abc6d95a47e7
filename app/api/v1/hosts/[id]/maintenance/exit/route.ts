// POST /api/v1/hosts/{id}/maintenance/exit — the host leaves maintenance; VMs powered off for it
// start again here. Operators and admins; audited.
import { answer, caller, idParam } from "@/lib/server/api-v1/handlers";
import { hostIdOf } from "@/lib/server/api-v1/resources";
import { ZExitMaintenanceResult } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";
import { exitMaintenanceAs } from "@/lib/server/ops";

export const POST = withProblems("v1.hosts.maintenance.exit", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await caller(req, "operator");
  const hostId = await hostIdOf(await idParam(ctx));
  return answer(ZExitMaintenanceResult, await exitMaintenanceAs({ hostId }, { principal }));
});
