-- AlterTable
ALTER TABLE "PlacementGroup" ADD COLUMN "failback" BOOLEAN;
ALTER TABLE "PlacementGroup" ADD COLUMN "hostOrder" TEXT;

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
    "failback" BOOLEAN NOT NULL DEFAULT true,
    "restartMaxRestarts" INTEGER NOT NULL DEFAULT 1,
    "restartMaxRelocations" INTEGER,
    "maintenanceRebuildAfterS" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Cluster" ("createdAt", "demo", "failureTimeoutS", "faultTolerance", "haMode", "heartbeatS", "id", "isolationTimeoutS", "missedHeartbeats", "name", "reservation", "updatedAt", "vmStartS") SELECT "createdAt", "demo", "failureTimeoutS", "faultTolerance", "haMode", "heartbeatS", "id", "isolationTimeoutS", "missedHeartbeats", "name", "reservation", "updatedAt", "vmStartS" FROM "Cluster";
DROP TABLE "Cluster";
ALTER TABLE "new_Cluster" RENAME TO "Cluster";
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");
CREATE TABLE "new_Vm" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "vcpus" INTEGER NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "haPriority" TEXT NOT NULL DEFAULT 'medium',
    "desiredPower" TEXT NOT NULL DEFAULT 'off',
    "power" TEXT NOT NULL DEFAULT 'stopped',
    "hostId" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "powerSince" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "restartOnMaintenanceExit" BOOLEAN NOT NULL DEFAULT false,
    "keepRunningWhenIsolated" BOOLEAN NOT NULL DEFAULT false,
    "restartMaxRestarts" INTEGER,
    "restartMaxRelocations" INTEGER,
    "placedByAdmin" BOOLEAN NOT NULL DEFAULT false,
    "lastPlacementReasons" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Vm_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Vm_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Vm" ("clusterId", "createdAt", "desiredPower", "generation", "haPriority", "hostId", "id", "lastPlacementReasons", "memoryMiB", "name", "power", "powerSince", "restartOnMaintenanceExit", "updatedAt", "vcpus") SELECT "clusterId", "createdAt", "desiredPower", "generation", "haPriority", "hostId", "id", "lastPlacementReasons", "memoryMiB", "name", "power", "powerSince", "restartOnMaintenanceExit", "updatedAt", "vcpus" FROM "Vm";
DROP TABLE "Vm";
ALTER TABLE "new_Vm" RENAME TO "Vm";
CREATE UNIQUE INDEX "Vm_name_key" ON "Vm"("name");
CREATE INDEX "Vm_hostId_idx" ON "Vm"("hostId");
CREATE INDEX "Vm_power_idx" ON "Vm"("power");
CREATE INDEX "Vm_haPriority_idx" ON "Vm"("haPriority");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
