import "server-only";
import { getDb, type Db } from "@/lib/server/db";
import { byLiveVersion } from "./live-cache";

export interface ClusterSummary {
  id: string;
  name: string;
  haMode: string;
  faultTolerance: number;
  reservation: string;
  zones: { id: string; name: string; role: string }[];
}

/** getCluster once per live version (the header of every page). */
export function getClusterLive(): Promise<ClusterSummary | null> {
  return byLiveVersion("cluster", getCluster);
}

/** The cluster this console manages (the first one created); null before any is imported. */
export async function getCluster(db: Db = getDb()): Promise<ClusterSummary | null> {
  const c = await db.cluster.findFirst({
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      name: true,
      haMode: true,
      faultTolerance: true,
      reservation: true,
      zones: { select: { id: true, name: true, role: true }, orderBy: { name: "asc" } },
    },
  });
  return c;
}
