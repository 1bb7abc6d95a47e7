import "server-only";
import type { Prisma } from "@prisma/client";

/** A network's own columns (name, VLAN, IPAM): what the network list and detail show and what audit rows record. */
export const NETWORK_SELECT = {
  id: true,
  name: true,
  vlan: true,
  managed: true,
  cidr: true,
  gateway: true,
  dns: true,
  poolStart: true,
  poolEnd: true,
} satisfies Prisma.NetworkSelect;
