-- AlterTable
ALTER TABLE "Gpu" ADD COLUMN     "identity" TEXT,
ADD COLUMN     "missingSince" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Nic" ADD COLUMN     "identity" TEXT,
ADD COLUMN     "missingSince" TIMESTAMP(3),
ADD COLUMN     "pciAddress" TEXT;

-- CreateTable
CREATE TABLE "DiscoveredDevice" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "pciAddress" TEXT,
    "vendor" TEXT,
    "model" TEXT,
    "data" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DiscoveredDevice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DiscoveredDevice_hostId_status_idx" ON "DiscoveredDevice"("hostId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "DiscoveredDevice_hostId_kind_identity_key" ON "DiscoveredDevice"("hostId", "kind", "identity");

-- AddForeignKey
ALTER TABLE "DiscoveredDevice" ADD CONSTRAINT "DiscoveredDevice_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

