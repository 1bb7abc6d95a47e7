// POST /api/v1/hosts/{id}/maintenance/enter — body {rebuildDeviceVms?}: standard VMs live-migrate
// away, device VMs are powered off (or rebuilt elsewhere). Refused (409) with every blocking VM's
// reasons. Operators and admins; audited.
import { answer, bodyOf, caller, idParam } from "@/lib/server/api-v1/handlers";
import { hostIdOf } from "@/lib/server/api-v1/resources";
import { ZEnterMaintenanceBody, ZEnterMaintenanceResult } from "@/lib/server/api-v1/schemas";
import { withProblems } from "@/lib/server/http/problem";
import { enterMaintenanceAs } from "@/lib/server/ops";

export const POST = withProblems("v1.hosts.maintenance.enter", async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await caller(req, "operator");
  const body = await bodyOf(req, ZEnterMaintenanceBody);
  const hostId = await hostIdOf(await idParam(ctx));
  return answer(ZEnterMaintenanceResult, await enterMaintenanceAs({ hostId, rebuildDeviceVms: body.rebuildDeviceVms }, { principal }));
});
