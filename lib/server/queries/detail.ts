import "server-only";
import type { Db } from "@/lib/server/db";
import { humanizeMessages } from "./text-refs";

export interface OpenAlertRow {
  id: string;
  kind: string;
  severity: string;
  message: string;
  raisedAt: string;
}

/** The newest 20 open or acknowledged alerts of one host or VM (the detail pages' alert panel). */
export async function listOpenAlerts(db: Db, of: { hostId: string } | { vmId: string }): Promise<OpenAlertRow[]> {
  const alerts = await db.alert.findMany({
    where: { ...of, status: { in: ["open", "acknowledged"] } },
    orderBy: { raisedAt: "desc" },
    take: 20,
    select: { id: true, kind: true, severity: true, message: true, raisedAt: true },
  });
  return humanizeMessages(alerts.map((a) => ({ ...a, raisedAt: a.raisedAt.toISOString() })), db);
}
