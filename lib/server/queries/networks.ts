import "server-only";
import { cache } from "react";
import type { Prisma } from "@prisma/client";
import { getDb, type Db } from "@/lib/server/db";
import { poolSize as ipamPoolSize } from "@/lib/engine";
import { NETWORK_SELECT } from "./network-select";
import { pageOf, pageParams, param, type Page, type SearchParams } from "./params";

function ipv4ToInt(s: string | null | undefined): number | null {
  if (!s) return null;
  const parts = s.trim().split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Addresses the pool can give (the engine's IPAM count: gateway excluded); null for unmanaged networks. */
function poolSize(n: { managed: boolean; cidr: string | null; gateway: string | null; poolStart: string | null; poolEnd: string | null }): number | null {
  if (!n.managed || !n.cidr) return null;
  return ipamPoolSize({ cidr: n.cidr, gateway: n.gateway, poolStart: n.poolStart, poolEnd: n.poolEnd });
}

type NetworkRowSource = Prisma.NetworkGetPayload<{ select: typeof NETWORK_SELECT & { _count: { select: { leases: true; vmNics: true } } } }>;

export interface NetworkRow {
  id: string;
  name: string;
  vlan: number | null;
  managed: boolean;
  cidr: string | null;
  gateway: string | null;
  dns: string[];
  poolStart: string | null;
  poolEnd: string | null;
  poolSize: number | null;
  leases: number;
  /** VM NICs attached to the network (managed or not). */
  vmNics: number;
}

/** Every network with its IPAM usage (one query: counts come with the rows). */
export async function listNetworks(db: Db = getDb()): Promise<NetworkRow[]> {
  const nets = await db.network.findMany({
    orderBy: { name: "asc" },
    select: {
      ...NETWORK_SELECT,
      _count: { select: { leases: true, vmNics: true } },
    },
  });
  return nets.map(networkRow);
}

/** A network row from its columns and its lease and NIC counts. */
function networkRow({ _count, dns, ...n }: NetworkRowSource): NetworkRow {
  return {
    ...n,
    dns: splitDns(dns),
    poolSize: poolSize(n),
    leases: _count.leases,
    vmNics: _count.vmNics,
  };
}

function splitDns(dns: string | null): string[] {
  return (dns ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface NetworkLeaseRow {
  id: string;
  address: string;
  static: boolean;
  createdAt: string;
  vm: { id: string; name: string; power: string };
  nicIndex: number;
  mac: string | null;
}

export interface NetworkDetail extends NetworkRow {
  createdAt: string;
  leasesPage: Page<NetworkLeaseRow>;
  /** Attached NICs with no lease (unmanaged networks, or not yet addressed). */
  nicsWithoutLease: number;
}

/** A network's id and name, or null (the detail page's existence check). Deduplicated per request. */
export const getNetworkName = cache(async (id: string, db: Db = getDb()): Promise<{ id: string; name: string } | null> => {
  return db.network.findUnique({ where: { id }, select: { id: true, name: true } });
});

export interface NetworkLeaseQuery {
  q?: string;
  page: number;
  pageSize: number;
}

export function parseNetworkLeaseQuery(sp: SearchParams): NetworkLeaseQuery {
  return { q: param(sp, "q"), ...pageParams(sp, 100) };
}

/**
 * A network with one page of its leases in address order. Addresses are text in the store,
 * so the (small) id/address list is sorted numerically here and only the page is loaded in full.
 */
export async function getNetwork(id: string, query: NetworkLeaseQuery = { page: 1, pageSize: 100 }, db: Db = getDb()): Promise<NetworkDetail | null> {
  const n = await db.network.findUnique({
    where: { id },
    select: {
      ...NETWORK_SELECT,
      createdAt: true,
      _count: { select: { leases: true, vmNics: true } },
    },
  });
  if (!n) return null;
  const leaseWhere = {
    networkId: id,
    ...(query.q ? { OR: [{ address: { contains: query.q } }, { vm: { name: { contains: query.q } } }] } : {}),
  };
  const [keys, nicsWithoutLease] = await Promise.all([
    db.ipLease.findMany({ where: leaseWhere, select: { address: true } }),
    db.vmNic.count({ where: { networkId: id, lease: null } }),
  ]);
  // Addresses are unique per network, so the page is fetched back by address (the unique index).
  const ordered = keys.map((k) => ({ address: k.address, n: ipv4ToInt(k.address) ?? -1 }));
  ordered.sort((a, b) => a.n - b.n || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const start = (query.page - 1) * query.pageSize;
  const pageAddrs = ordered.slice(start, start + query.pageSize).map((k) => k.address);
  const leases = pageAddrs.length
    ? await db.ipLease.findMany({
        where: { networkId: id, address: { in: pageAddrs } },
        select: {
          id: true,
          address: true,
          static: true,
          createdAt: true,
          vm: { select: { id: true, name: true, power: true } },
          vmNic: { select: { index: true, mac: true } },
        },
      })
    : [];
  const order = new Map(pageAddrs.map((a, i) => [a, i]));
  leases.sort((a, b) => order.get(a.address)! - order.get(b.address)!);
  const { createdAt, ...rest } = n;
  return {
    ...networkRow(rest),
    createdAt: createdAt.toISOString(),
    nicsWithoutLease,
    leasesPage: pageOf(
      leases.map((l) => ({
        id: l.id,
        address: l.address,
        static: l.static,
        createdAt: l.createdAt.toISOString(),
        vm: l.vm,
        nicIndex: l.vmNic.index,
        mac: l.vmNic.mac,
      })),
      keys.length,
      query.page,
      query.pageSize,
    ),
  };
}
