// What-if: for every host, the failover plan if it failed now. One capacity index is reused:
// each plan is placed, recorded, then rolled back.
import type { ClusterSnapshot, FailoverPlan } from "./types";
import { buildCapacity } from "./capacity";
import { planFailoverOn } from "./ha";

export function whatIfAll(snapshot: ClusterSnapshot): { hostId: string; plan: FailoverPlan }[] {
  const cap = buildCapacity(snapshot);
  const out: { hostId: string; plan: FailoverPlan }[] = [];
  for (const hc of cap.hosts) {
    const wasUsable = hc.usable;
    const mark = cap.mark();
    const plan = planFailoverOn(cap, [hc.host.id], { explain: false });
    cap.rollback(mark);
    cap.setUsable(hc.host.id, wasUsable);
    out.push({ hostId: hc.host.id, plan });
  }
  return out;
}
