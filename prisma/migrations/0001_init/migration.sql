-- CreateTable
CREATE TABLE "Cluster" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Zone" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    CONSTRAINT "Zone_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Host" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Host_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Host_zoneId_fkey" FOREIGN KEY ("zoneId") REFERENCES "Zone" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Gpu" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "vendor" TEXT NOT NULL DEFAULT 'NVIDIA',
    "model" TEXT NOT NULL,
    "pciAddress" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'graphics',
    "vgpuProfile" TEXT,
    "vgpuSlots" INTEGER,
    CONSTRAINT "Gpu_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Nic" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'vm',
    "sriovVfs" INTEGER NOT NULL DEFAULT 0,
    "tag" TEXT,
    "bond" TEXT,
    "linkUp" BOOLEAN NOT NULL DEFAULT true,
    "speedGbps" INTEGER NOT NULL DEFAULT 25,
    CONSTRAINT "Nic_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeviceTag" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Vm" (
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
    "lastPlacementReasons" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Vm_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Vm_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Disk" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "vmId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "sizeGiB" INTEGER NOT NULL,
    "bus" TEXT NOT NULL DEFAULT 'virtio-scsi',
    CONSTRAINT "Disk_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VmNic" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "vmId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "networkId" TEXT NOT NULL,
    "mac" TEXT,
    "staticIp" TEXT,
    CONSTRAINT "VmNic_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VmNic_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeviceRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "vmId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "gpuId" TEXT,
    CONSTRAINT "DeviceRequest_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DeviceRequest_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "Gpu" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeviceAllocation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deviceKey" TEXT NOT NULL,
    "vmId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "gpuId" TEXT,
    "slot" INTEGER,
    "nicId" TEXT,
    "vf" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeviceAllocation_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DeviceAllocation_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DeviceAllocation_gpuId_fkey" FOREIGN KEY ("gpuId") REFERENCES "Gpu" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DeviceAllocation_nicId_fkey" FOREIGN KEY ("nicId") REFERENCES "Nic" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VmHostAffinity" (
    "vmId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,

    PRIMARY KEY ("vmId", "hostId"),
    CONSTRAINT "VmHostAffinity_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VmHostAffinity_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Network" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "vlan" INTEGER,
    "managed" BOOLEAN NOT NULL DEFAULT false,
    "cidr" TEXT,
    "gateway" TEXT,
    "dns" TEXT,
    "poolStart" TEXT,
    "poolEnd" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Network_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "IpLease" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "networkId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "vmId" TEXT NOT NULL,
    "vmNicId" TEXT NOT NULL,
    "static" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "IpLease_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "IpLease_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "IpLease_vmNicId_fkey" FOREIGN KEY ("vmNicId") REFERENCES "VmNic" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlacementGroup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "enforcement" TEXT NOT NULL DEFAULT 'must',
    "zoneId" TEXT,
    CONSTRAINT "PlacementGroup_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PlacementGroup_zoneId_fkey" FOREIGN KEY ("zoneId") REFERENCES "Zone" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlacementGroupVm" (
    "groupId" TEXT NOT NULL,
    "vmId" TEXT NOT NULL,

    PRIMARY KEY ("groupId", "vmId"),
    CONSTRAINT "PlacementGroupVm_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PlacementGroup" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PlacementGroupVm_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlacementGroupHost" (
    "groupId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,

    PRIMARY KEY ("groupId", "hostId"),
    CONSTRAINT "PlacementGroupHost_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PlacementGroup" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PlacementGroupHost_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StorageSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "vmId" TEXT NOT NULL,
    "diskIndex" INTEGER NOT NULL,
    "session" INTEGER NOT NULL,
    "controllerHostId" TEXT NOT NULL,
    CONSTRAINT "StorageSession_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "StorageSession_controllerHostId_fkey" FOREIGN KEY ("controllerHostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "clusterId" TEXT NOT NULL,
    "hostId" TEXT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "openedAt" DATETIME NOT NULL,
    "detectedAt" DATETIME,
    "failedAt" DATETIME,
    "closedAt" DATETIME,
    "summary" TEXT,
    CONSTRAINT "Incident_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Incident_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "incidentId" TEXT,
    "hostId" TEXT,
    "vmId" TEXT,
    "message" TEXT NOT NULL,
    "data" TEXT,
    CONSTRAINT "Event_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "entityName" TEXT NOT NULL,
    "activeKey" TEXT,
    "hostId" TEXT,
    "vmId" TEXT,
    "incidentId" TEXT,
    "message" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "raisedAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "ackAt" DATETIME,
    "ackBy" TEXT,
    "ackNote" TEXT,
    "resolvedAt" DATETIME,
    "resolvedBy" TEXT,
    CONSTRAINT "Alert_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AgentCommand" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "vmId" TEXT,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "result" TEXT,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "ackedAt" DATETIME,
    CONSTRAINT "AgentCommand_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AgentCommand_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "passwordHash" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" TEXT,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    CONSTRAINT "AuditLog_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ControllerLease" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Zone_clusterId_name_key" ON "Zone"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Host_agentTokenHash_key" ON "Host"("agentTokenHash");

-- CreateIndex
CREATE INDEX "Host_clusterId_state_idx" ON "Host"("clusterId", "state");

-- CreateIndex
CREATE INDEX "Gpu_model_idx" ON "Gpu"("model");

-- CreateIndex
CREATE UNIQUE INDEX "Gpu_hostId_name_key" ON "Gpu"("hostId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Gpu_hostId_pciAddress_key" ON "Gpu"("hostId", "pciAddress");

-- CreateIndex
CREATE INDEX "Nic_tag_idx" ON "Nic"("tag");

-- CreateIndex
CREATE UNIQUE INDEX "Nic_hostId_name_key" ON "Nic"("hostId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceTag_type_name_key" ON "DeviceTag"("type", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Vm_name_key" ON "Vm"("name");

-- CreateIndex
CREATE INDEX "Vm_hostId_idx" ON "Vm"("hostId");

-- CreateIndex
CREATE INDEX "Vm_power_idx" ON "Vm"("power");

-- CreateIndex
CREATE INDEX "Vm_haPriority_idx" ON "Vm"("haPriority");

-- CreateIndex
CREATE UNIQUE INDEX "Disk_vmId_index_key" ON "Disk"("vmId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "VmNic_vmId_index_key" ON "VmNic"("vmId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceRequest_vmId_index_key" ON "DeviceRequest"("vmId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceAllocation_deviceKey_key" ON "DeviceAllocation"("deviceKey");

-- CreateIndex
CREATE INDEX "DeviceAllocation_vmId_idx" ON "DeviceAllocation"("vmId");

-- CreateIndex
CREATE INDEX "DeviceAllocation_hostId_idx" ON "DeviceAllocation"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceAllocation_gpuId_slot_key" ON "DeviceAllocation"("gpuId", "slot");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceAllocation_nicId_vf_key" ON "DeviceAllocation"("nicId", "vf");

-- CreateIndex
CREATE UNIQUE INDEX "Network_name_key" ON "Network"("name");

-- CreateIndex
CREATE UNIQUE INDEX "IpLease_vmNicId_key" ON "IpLease"("vmNicId");

-- CreateIndex
CREATE UNIQUE INDEX "IpLease_networkId_address_key" ON "IpLease"("networkId", "address");

-- CreateIndex
CREATE UNIQUE INDEX "PlacementGroup_name_key" ON "PlacementGroup"("name");

-- CreateIndex
CREATE UNIQUE INDEX "StorageSession_vmId_diskIndex_session_key" ON "StorageSession"("vmId", "diskIndex", "session");

-- CreateIndex
CREATE UNIQUE INDEX "Incident_seq_key" ON "Incident"("seq");

-- CreateIndex
CREATE INDEX "Event_at_idx" ON "Event"("at");

-- CreateIndex
CREATE INDEX "Event_incidentId_idx" ON "Event"("incidentId");

-- CreateIndex
CREATE INDEX "Event_vmId_idx" ON "Event"("vmId");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_activeKey_key" ON "Alert"("activeKey");

-- CreateIndex
CREATE INDEX "Alert_status_idx" ON "Alert"("status");

-- CreateIndex
CREATE INDEX "Alert_kind_idx" ON "Alert"("kind");

-- CreateIndex
CREATE INDEX "AgentCommand_hostId_status_idx" ON "AgentCommand"("hostId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

