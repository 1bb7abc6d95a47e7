-- Issue 12: registration reconciles a host's devices with what its agent discovered. Gpu/Nic
-- gain the stable identity the agent reported and missingSince (the agent registered without
-- them: not allocated until seen again); DiscoveredDevice holds what the agent found that the
-- inventory lacks, until an admin adds, re-maps or ignores it.
-- AlterTable
ALTER TABLE "Gpu" ADD COLUMN "identity" TEXT;
ALTER TABLE "Gpu" ADD COLUMN "missingSince" DATETIME;

-- AlterTable
ALTER TABLE "Nic" ADD COLUMN "identity" TEXT;
ALTER TABLE "Nic" ADD COLUMN "missingSince" DATETIME;
ALTER TABLE "Nic" ADD COLUMN "pciAddress" TEXT;

-- CreateTable
CREATE TABLE "DiscoveredDevice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "pciAddress" TEXT,
    "vendor" TEXT,
    "model" TEXT,
    "data" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    CONSTRAINT "DiscoveredDevice_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "DiscoveredDevice_hostId_status_idx" ON "DiscoveredDevice"("hostId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "DiscoveredDevice_hostId_kind_identity_key" ON "DiscoveredDevice"("hostId", "kind", "identity");
