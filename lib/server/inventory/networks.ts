// Networks: create, update, delete. A managed network carries IPAM (CIDR, gateway, DNS,
// pool); an unmanaged one leaves addressing to an outside DHCP server.
import "server-only";
import { ipv4InCidr } from "@/lib/schemas/ipv4";
import { ZCreateNetworkInput, ZDeleteInput, ZUpdateNetworkInput, type TCreateNetworkInput } from "@/lib/schemas/inventory";
import { NETWORK_SELECT } from "@/lib/server/queries/network-select";
import { conflict, ctxDb, inTransaction, managedClusterId, notFound, omit, parseInput, plural, writeAudit, type ServiceCtx, type Tx } from "./common";

const NETWORK_AUDIT = NETWORK_SELECT;

function networkData(v: TCreateNetworkInput) {
  return v.managed
    ? {
        name: v.name,
        vlan: v.vlan ?? null,
        managed: true,
        cidr: v.cidr ?? null,
        gateway: v.gateway ?? null,
        dns: v.dns.join(","),
        poolStart: v.poolStart ?? null,
        poolEnd: v.poolEnd ?? null,
      }
    : { name: v.name, vlan: v.vlan ?? null, managed: false, cidr: null, gateway: null, dns: null, poolStart: null, poolEnd: null };
}

async function checkNetworkNameFree(tx: Tx, name: string, exceptId?: string) {
  const other = await tx.network.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== exceptId) throw conflict(`A network named ${name} already exists`, { name: [`A network named ${name} already exists`] });
}

export async function createNetwork(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZCreateNetworkInput, input);
  return inTransaction(ctx, async (tx) => {
    await checkNetworkNameFree(tx, v.name);
    const clusterId = await managedClusterId(tx);
    const net = await tx.network.create({ data: { clusterId, ...networkData(v) }, select: NETWORK_AUDIT });
    await writeAudit(tx, ctx, "create-network", `network:${net.id}`, null, net);
    return net;
  });
}

/**
 * Updates a network. Addresses already leased stay valid: a network with leases cannot
 * become unmanaged, and its CIDR cannot change to one that leaves a lease outside.
 */
export async function updateNetwork(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZUpdateNetworkInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await tx.network.findUnique({ where: { id: v.id }, select: NETWORK_AUDIT });
    if (!before) throw notFound("Network", v.id);
    await checkNetworkNameFree(tx, v.name, v.id);
    const leases = await tx.ipLease.findMany({ where: { networkId: v.id }, select: { address: true, vm: { select: { name: true } } } });
    if (leases.length > 0) {
      if (!v.managed) {
        const msg = `${before.name} has ${plural(leases.length, "address", "addresses")} leased to VMs; it cannot become unmanaged`;
        throw conflict(msg, { managed: [msg] });
      }
      const outside = leases.filter((l) => !ipv4InCidr(l.address, v.cidr!));
      if (outside.length > 0) {
        const msg = `${outside[0].address} (${outside[0].vm.name}) would fall outside ${v.cidr}`;
        throw conflict(msg, { cidr: [msg] });
      }
      if (v.gateway && leases.some((l) => l.address === v.gateway)) {
        const l = leases.find((x) => x.address === v.gateway)!;
        const msg = `${v.gateway} is leased to ${l.vm.name}`;
        throw conflict(msg, { gateway: [msg] });
      }
    }
    const after = await tx.network.update({ where: { id: v.id }, data: networkData(v), select: NETWORK_AUDIT });
    await writeAudit(tx, ctx, "update-network", `network:${v.id}`, before, after);
    return after;
  });
}

export async function deleteNetwork(input: unknown, ctx?: ServiceCtx) {
  const { id } = parseInput(ZDeleteInput, input);
  return inTransaction(ctx, async (tx) => {
    const net = await tx.network.findUnique({ where: { id }, select: { ...NETWORK_AUDIT, _count: { select: { vmNics: true } } } });
    if (!net) throw notFound("Network", id);
    const n = net._count.vmNics;
    if (n > 0) throw conflict(`Network ${net.name} is used by ${plural(n, "VM NIC")}; detach them first`);
    await tx.network.delete({ where: { id } });
    await writeAudit(tx, ctx, "delete-network", `network:${id}`, omit(net, "_count"), null);
    return { id, name: net.name };
  });
}

export async function getNetworkForEdit(id: string, ctx?: ServiceCtx) {
  return ctxDb(ctx).network.findUnique({
    where: { id },
    select: { ...NETWORK_AUDIT, _count: { select: { vmNics: true, leases: true } } },
  });
}

export async function listNetworkOptions(ctx?: ServiceCtx) {
  return ctxDb(ctx).network.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, managed: true, cidr: true, vlan: true },
  });
}
