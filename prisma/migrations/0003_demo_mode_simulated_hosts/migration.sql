-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Cluster" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "haMode" TEXT NOT NULL DEFAULT 'default',
    "faultTolerance" INTEGER NOT NULL DEFAULT 1,
    "reservation" TEXT NOT NULL DEFAULT 'host',
    "heartbeatS" REAL NOT NULL DEFAULT 1,
    "missedHeartbeats" INTEGER NOT NULL DEFAULT 3,
    "failureTimeoutS" REAL NOT NULL DEFAULT 30,
    "isolationTimeoutS" REAL NOT NULL DEFAULT 20,
    "vmStartS" REAL NOT NULL DEFAULT 5,
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Cluster" ("createdAt", "failureTimeoutS", "faultTolerance", "haMode", "heartbeatS", "id", "isolationTimeoutS", "missedHeartbeats", "name", "reservation", "updatedAt", "vmStartS") SELECT "createdAt", "failureTimeoutS", "faultTolerance", "haMode", "heartbeatS", "id", "isolationTimeoutS", "missedHeartbeats", "name", "reservation", "updatedAt", "vmStartS" FROM "Cluster";
DROP TABLE "Cluster";
ALTER TABLE "new_Cluster" RENAME TO "Cluster";
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");
CREATE TABLE "new_Host" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "zoneId" TEXT,
    "name" TEXT NOT NULL,
    "address" TEXT,
    "cpus" INTEGER NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'online',
    "stateSince" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeatAt" DATETIME,
    "storageControllerPresent" BOOLEAN NOT NULL DEFAULT true,
    "storageControllerHealthy" BOOLEAN NOT NULL DEFAULT true,
    "agentTokenHash" TEXT,
    "agentTokenIssuedAt" DATETIME,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "agentClaimedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Host_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Host_zoneId_fkey" FOREIGN KEY ("zoneId") REFERENCES "Zone" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Host" ("address", "agentTokenHash", "agentTokenIssuedAt", "clusterId", "cpus", "createdAt", "id", "lastHeartbeatAt", "memoryMiB", "name", "state", "stateSince", "storageControllerHealthy", "storageControllerPresent", "updatedAt", "zoneId") SELECT "address", "agentTokenHash", "agentTokenIssuedAt", "clusterId", "cpus", "createdAt", "id", "lastHeartbeatAt", "memoryMiB", "name", "state", "stateSince", "storageControllerHealthy", "storageControllerPresent", "updatedAt", "zoneId" FROM "Host";
DROP TABLE "Host";
ALTER TABLE "new_Host" RENAME TO "Host";
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");
CREATE UNIQUE INDEX "Host_agentTokenHash_key" ON "Host"("agentTokenHash");
CREATE INDEX "Host_clusterId_state_idx" ON "Host"("clusterId", "state");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Stores seeded before demo mode lived in the store: the demo seed's clusters keep their demo
-- (their hosts were all driven by the simulated fleet, which registered them without a token).
UPDATE "Cluster" SET "demo" = true WHERE "name" IN ('haven-demo', 'haven-large');
