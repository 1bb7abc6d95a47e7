import "server-only";
// A host's devices as its agent discovered them, reconciled with the console's inventory at every
// registration that asks for it (ZRegisterRequest.reconcile: the real haven-agent; the simulated
// fleet never does). Devices are matched by their stable identity (lib/agent/identity.ts), never by
// slot alone once an identity is known:
//   - a GPU/NIC of the inventory with the reported identity is the same device (a card that moved
//     slot keeps its row, allocations and tags; its address, a NIC's interface name, follow it);
//   - one without an identity yet (created by an admin or an import) is bound to the device at its
//     PCI address (a GPU) or with its interface name (a NIC), the first time only;
//   - a reported device nothing matches is recorded as discovered (DiscoveredDevice): an admin adds
//     it, has it replace a missing device (an explicit re-map), or ignores it; with `autoAdd` on a
//     host whose inventory has no GPU and no NIC, it is added at once;
//   - a device of the inventory the agent did not report is marked missing (missingSince): the
//     snapshot leaves it out, so nothing is allocated on it and every VM's HA eligibility is
//     computed without it; each VM that holds or names a missing device gets a DEVICE_FAILED alert
//     saying what it lost (resolved when the device is seen again or replaced).
// So a different card in a known slot is never silently re-mapped onto the old card's row.
import type { Prisma, PrismaClient } from "@prisma/client";
import type { TRegisterRequest, TReconcileSummary } from "@/lib/schemas/agent";
import { AlertBook } from "@/lib/server/ha/alerts";
import { AppError } from "@/lib/server/errors";
import { createGpu } from "@/lib/server/inventory/gpus";
import { createNic } from "@/lib/server/inventory/nics";
import { authorize } from "@/lib/server/auth/principal";
import { ctxDb, inTransaction, conflict, notFound, writeAudit, type ServiceCtx } from "@/lib/server/inventory/common";
import { ensureDeviceTag, gpuUnitTag } from "@/lib/server/inventory/device-tags";

type Tx = PrismaClient | Prisma.TransactionClient;
type ReportedGpu = NonNullable<TRegisterRequest["gpus"]>[number];
type ReportedNic = NonNullable<TRegisterRequest["nics"]>[number];

/** What an admin needs to add a discovered device (DiscoveredDevice.data). */
export interface DiscoveredData {
  mode?: "graphics" | "compute";
  vgpuProfile?: string | null;
  vgpuSlots?: number | null;
  sriovVfs?: number;
  bond?: string | null;
  linkUp?: boolean;
  speedMbps?: number | null;
  role?: "vm" | "storage" | "management";
}

const gpuLabel = (g: { name: string; model: string; pciAddress: string | null }) => `GPU ${g.name} (${g.model}${g.pciAddress ? ` at ${g.pciAddress}` : ""})`;
const nicLabel = (n: { name: string }) => `NIC ${n.name}`;

/** A model name as the inventory keeps it (≤ 64 characters, no "/": device tags use "/" for vGPU profiles). */
function inventoryModel(model: string): string {
  return model.replace(/\//g, "-").replace(/\s+/g, " ").trim().slice(0, 64).trim() || "GPU";
}

/** pci.ids' vendor ("NVIDIA Corporation", "Advanced Micro Devices, Inc. [AMD/ATI]") as the inventory names it. */
function inventoryVendor(vendor: string | null | undefined): string {
  if (!vendor) return "NVIDIA";
  if (/nvidia/i.test(vendor)) return "NVIDIA";
  if (/\bAMD\b|ATI\b|Advanced Micro Devices/i.test(vendor)) return "AMD";
  if (/intel/i.test(vendor)) return "Intel";
  return vendor.slice(0, 64);
}

function gpuData(r: ReportedGpu): DiscoveredData {
  return { mode: r.mode, vgpuProfile: r.vgpuProfile ?? null, vgpuSlots: r.vgpuSlots ?? null };
}

function nicData(r: ReportedNic): DiscoveredData {
  return { sriovVfs: r.sriovVfs ?? 0, bond: r.bond ?? null, linkUp: r.linkUp, speedMbps: r.speedMbps ?? null, role: r.role };
}

function speedGbps(mbps: number | null | undefined): number | undefined {
  return mbps && mbps > 0 ? Math.max(1, Math.round(mbps / 1000)) : undefined;
}

/**
 * Reconciles host `hostId`'s GPUs and NICs with a registration's lists (which must carry every
 * device's identity: ZRegisterRequest checks it). One transaction. Returns what changed and the
 * console's names of the matched devices, which the agent uses for start commands.
 */
export async function reconcileInventory(db: PrismaClient, hostId: string, req: TRegisterRequest, at: Date): Promise<TReconcileSummary & { changed: boolean }> {
  // One device per identity (a card that reports another's serial is taken once, as the first).
  const once = <T extends { identity?: string }>(list: T[]) => list.filter((d, i) => list.findIndex((x) => x.identity === d.identity) === i);
  const gpusIn = once(req.gpus ?? []);
  const nicsIn = once(req.nics ?? []);
  return db.$transaction(async (tx) => {
    const host = await tx.host.findUnique({ where: { id: hostId }, select: { id: true, name: true, gpus: true, nics: true, discoveredDevices: true } });
    if (!host) throw new AppError("NOT_FOUND", `Host ${hostId} not found`);
    const out: TReconcileSummary & { changed: boolean } = { gpus: [], nics: [], added: [], discovered: [], missing: [], back: [], changed: false };
    const events: { kind: string; message: string; data?: Record<string, unknown> }[] = [];

    // ---- autoAdd on a new host: every device becomes inventory.
    if (req.autoAdd && host.gpus.length === 0 && host.nics.length === 0) {
      for (const r of gpusIn) {
        const name = await freeGpuName(tx, host.id, host.name, r.name);
        const g = await tx.gpu.create({
          data: {
            hostId: host.id,
            name,
            vendor: inventoryVendor(r.vendor),
            model: inventoryModel(r.model),
            pciAddress: r.pciAddress ?? r.identity!,
            mode: r.mode ?? "graphics",
            vgpuProfile: r.vgpuProfile ?? null,
            vgpuSlots: r.vgpuProfile ? (r.vgpuSlots ?? null) : null,
            identity: r.identity!,
          },
        });
        const t = gpuUnitTag(g);
        await ensureDeviceTag(tx as Prisma.TransactionClient, t.type, t.tag, "auto");
        out.added.push(g.name);
        out.gpus.push({ identity: r.identity!, name: g.name });
      }
      for (const r of nicsIn) {
        const n = await tx.nic.create({
          data: {
            hostId: host.id,
            name: r.name,
            role: r.role ?? "vm",
            sriovVfs: r.sriovVfs ?? 0,
            bond: r.bond ?? null,
            linkUp: r.linkUp,
            ...(speedGbps(r.speedMbps) ? { speedGbps: speedGbps(r.speedMbps) } : {}),
            identity: r.identity!,
            pciAddress: r.pciAddress ?? null,
          },
        });
        out.added.push(n.name);
        out.nics.push({ identity: r.identity!, name: n.name });
      }
      await tx.discoveredDevice.deleteMany({ where: { hostId: host.id } });
      if (out.added.length) {
        out.changed = true;
        events.push({ kind: "devices-added", message: `${host.name}: its agent added ${out.added.join(", ")} (auto-add on a new host)`, data: { added: out.added } });
      }
      await recordEvents(tx, host.id, at, events);
      return out;
    }
    if (req.autoAdd) out.autoAddSkipped = `${host.name} already has devices in the inventory: found devices wait on the host page`;

    // ---- GPUs
    const gpuSeen = new Set<string>();
    const gpuUnmatched: ReportedGpu[] = [];
    const moves: { id: string; name: string; from: string; to: string }[] = [];
    for (const r of gpusIn) {
      const g = host.gpus.find((x) => x.identity === r.identity && !gpuSeen.has(x.id));
      if (!g) {
        gpuUnmatched.push(r);
        continue;
      }
      gpuSeen.add(g.id);
      out.gpus.push({ identity: r.identity!, name: g.name });
      if (r.pciAddress && r.pciAddress !== g.pciAddress) moves.push({ id: g.id, name: g.name, from: g.pciAddress, to: r.pciAddress });
    }
    // Unbound GPUs (no identity yet) take the device at their address, the first time.
    for (const r of [...gpuUnmatched]) {
      const g = host.gpus.find((x) => x.identity === null && !gpuSeen.has(x.id) && r.pciAddress && x.pciAddress === r.pciAddress);
      if (!g) continue;
      gpuSeen.add(g.id);
      gpuUnmatched.splice(gpuUnmatched.indexOf(r), 1);
      await tx.gpu.update({ where: { id: g.id }, data: { identity: r.identity! } });
      out.gpus.push({ identity: r.identity!, name: g.name });
      out.changed = true;
    }
    // Cards that moved slot: their rows follow them (a free address only: the row at the target
    // address is another card's, now missing, and keeps its place until an admin acts).
    if (moves.length) {
      const taken = new Set(host.gpus.filter((x) => !moves.some((m) => m.id === x.id)).map((x) => x.pciAddress));
      const doable = moves.filter((m) => !taken.has(m.to));
      for (const m of doable) await tx.gpu.update({ where: { id: m.id }, data: { pciAddress: `moving:${m.id}` } });
      for (const m of doable) {
        await tx.gpu.update({ where: { id: m.id }, data: { pciAddress: m.to } });
        events.push({ kind: "device-moved", message: `${host.name}/${m.name} moved from ${m.from} to ${m.to} (same card: identity unchanged)` });
      }
      if (doable.length) out.changed = true;
    }
    for (const g of host.gpus) {
      if (gpuSeen.has(g.id)) {
        if (g.missingSince) {
          await tx.gpu.update({ where: { id: g.id }, data: { missingSince: null } });
          out.back.push(g.name);
          out.changed = true;
        }
      } else if (!g.missingSince) {
        await tx.gpu.update({ where: { id: g.id }, data: { missingSince: at } });
        out.missing.push(g.name);
        out.changed = true;
      }
    }

    // ---- NICs
    const nicSeen = new Set<string>();
    const nicUnmatched: ReportedNic[] = [];
    const renames: { id: string; from: string; to: string; identity: string }[] = [];
    for (const r of nicsIn) {
      const n = host.nics.find((x) => x.identity === r.identity && !nicSeen.has(x.id));
      if (!n) {
        nicUnmatched.push(r);
        continue;
      }
      nicSeen.add(n.id);
      if (r.name !== n.name) renames.push({ id: n.id, from: n.name, to: r.name, identity: r.identity! });
      else out.nics.push({ identity: r.identity!, name: n.name });
      if ((r.pciAddress ?? null) !== n.pciAddress) await tx.nic.update({ where: { id: n.id }, data: { pciAddress: r.pciAddress ?? null } });
    }
    for (const r of [...nicUnmatched]) {
      const n = host.nics.find((x) => x.identity === null && !nicSeen.has(x.id) && x.name === r.name);
      if (!n) continue;
      nicSeen.add(n.id);
      nicUnmatched.splice(nicUnmatched.indexOf(r), 1);
      await tx.nic.update({ where: { id: n.id }, data: { identity: r.identity!, pciAddress: r.pciAddress ?? null } });
      out.nics.push({ identity: r.identity!, name: n.name });
      out.changed = true;
    }
    // A card whose interface name changed (another slot): the row takes the new name when it is free.
    if (renames.length) {
      const taken = new Set(host.nics.filter((x) => !renames.some((m) => m.id === x.id)).map((x) => x.name));
      for (const m of renames) if (!taken.has(m.to)) await tx.nic.update({ where: { id: m.id }, data: { name: `~${m.id}`.slice(0, 64) } });
      for (const m of renames) {
        const identityOf = m.identity;
        if (taken.has(m.to)) {
          out.nics.push({ identity: identityOf, name: m.from });
          continue;
        }
        await tx.nic.update({ where: { id: m.id }, data: { name: m.to } });
        out.nics.push({ identity: identityOf, name: m.to });
        events.push({ kind: "device-moved", message: `${host.name}: NIC ${m.from} is now ${m.to} (same card: identity unchanged)` });
        out.changed = true;
      }
    }
    for (const n of host.nics) {
      if (nicSeen.has(n.id)) {
        if (n.missingSince) {
          await tx.nic.update({ where: { id: n.id }, data: { missingSince: null } });
          out.back.push(n.name);
          out.changed = true;
        }
      } else if (!n.missingSince) {
        await tx.nic.update({ where: { id: n.id }, data: { missingSince: at } });
        out.missing.push(n.name);
        out.changed = true;
      }
    }

    // ---- discovered: upserted by identity (an ignored one stays ignored); the rest are gone.
    const keep = new Set<string>();
    const found = [
      ...gpuUnmatched.map((r) => ({ kind: "gpu" as const, identity: r.identity!, name: r.name, pciAddress: r.pciAddress ?? null, vendor: r.vendor ?? null, model: r.model, data: gpuData(r) })),
      ...nicUnmatched.map((r) => ({ kind: "nic" as const, identity: r.identity!, name: r.name, pciAddress: r.pciAddress ?? null, vendor: null, model: r.model ?? null, data: nicData(r) })),
    ];
    for (const d of found) {
      keep.add(`${d.kind}|${d.identity}`);
      const prev = host.discoveredDevices.find((x) => x.kind === d.kind && x.identity === d.identity);
      const fields = { name: d.name, pciAddress: d.pciAddress, vendor: d.vendor, model: d.model, data: JSON.stringify(d.data), lastSeenAt: at };
      if (prev) await tx.discoveredDevice.update({ where: { id: prev.id }, data: fields });
      else {
        await tx.discoveredDevice.create({ data: { hostId: host.id, kind: d.kind, identity: d.identity, ...fields, firstSeenAt: at } });
        out.changed = true;
      }
      if (!prev || prev.status === "new") out.discovered.push(d.name);
    }
    const stale = host.discoveredDevices.filter((x) => !keep.has(`${x.kind}|${x.identity}`)).map((x) => x.id);
    if (stale.length) await tx.discoveredDevice.deleteMany({ where: { id: { in: stale } } });

    if (out.missing.length) events.push({ kind: "device-missing", message: `${host.name}: its agent registered without ${out.missing.join(", ")}: marked missing (not allocated until seen again or replaced)`, data: { missing: out.missing } });
    if (out.back.length) events.push({ kind: "device-back", message: `${host.name}: ${out.back.join(", ")} seen again`, data: { back: out.back } });
    const newFound = found.filter((d) => !host.discoveredDevices.some((x) => x.kind === d.kind && x.identity === d.identity));
    if (newFound.length) events.push({ kind: "device-discovered", message: `${host.name}: its agent found ${newFound.map((d) => `${d.kind.toUpperCase()} ${d.name}`).join(", ")}, not in the inventory (add it on the host page)`, data: { found: newFound.map((d) => ({ kind: d.kind, name: d.name, identity: d.identity })) } });
    await recordEvents(tx, host.id, at, events);
    if (out.missing.length || out.back.length) await refreshLossAlerts(tx, host.id, at);
    return out;
  });
}

async function recordEvents(tx: Tx, hostId: string, at: Date, events: { kind: string; message: string; data?: Record<string, unknown> }[]): Promise<void> {
  for (const e of events) await tx.event.create({ data: { at, kind: e.kind, hostId, message: e.message, data: e.data ? JSON.stringify(e.data) : null } });
}

async function freeGpuName(tx: Tx, hostId: string, hostName: string, wanted: string): Promise<string> {
  const taken = new Set((await tx.gpu.findMany({ where: { hostId }, select: { name: true } })).map((g) => g.name));
  if (wanted && !taken.has(wanted)) return wanted;
  for (let i = 0; ; i++) if (!taken.has(`${hostName}-gpu${i}`)) return `${hostName}-gpu${i}`;
}

/**
 * One DEVICE_FAILED alert per VM that holds (an allocation) or names (a GPU asked for by name) a
 * missing device of host `hostId`, saying what it lost; resolved for VMs that lost nothing any more.
 */
export async function refreshLossAlerts(tx: Tx, hostId: string, at: Date): Promise<{ vm: string; lost: string[] }[]> {
  const host = await tx.host.findUnique({ where: { id: hostId }, select: { id: true, name: true } });
  if (!host) return [];
  const gpus = await tx.gpu.findMany({ where: { hostId, missingSince: { not: null } }, select: { id: true, name: true, model: true, pciAddress: true } });
  const nics = await tx.nic.findMany({ where: { hostId, missingSince: { not: null } }, select: { id: true, name: true } });
  const gpuIds = gpus.map((g) => g.id);
  const nicIds = nics.map((n) => n.id);
  const vms = gpuIds.length || nicIds.length
    ? await tx.vm.findMany({
        where: {
          OR: [
            { allocations: { some: { OR: [{ gpuId: { in: gpuIds } }, { nicId: { in: nicIds } }] } } },
            ...(gpuIds.length ? [{ deviceRequests: { some: { gpuId: { in: gpuIds } } } }] : []),
          ],
        },
        select: { id: true, name: true, allocations: { select: { gpuId: true, nicId: true, vf: true, slot: true, type: true } }, deviceRequests: { select: { gpuId: true } } },
        orderBy: { name: "asc" },
      })
    : [];
  const book = new AlertBook();
  await book.reload(tx);
  const losses: { vm: string; lost: string[] }[] = [];
  for (const vm of vms) {
    const lost = new Set<string>();
    for (const a of vm.allocations) {
      const g = a.gpuId ? gpus.find((x) => x.id === a.gpuId) : undefined;
      if (g) lost.add(a.type === "vgpu" ? `vGPU slot ${a.slot} of ${gpuLabel(g)}` : gpuLabel(g));
      const n = a.nicId ? nics.find((x) => x.id === a.nicId) : undefined;
      if (n) lost.add(`VF ${a.vf} of ${nicLabel(n)}`);
    }
    for (const d of vm.deviceRequests) {
      const g = d.gpuId ? gpus.find((x) => x.id === d.gpuId) : undefined;
      if (g) lost.add(`${gpuLabel(g)}, which it asks for by name`);
    }
    const list = [...lost];
    losses.push({ vm: vm.name, lost: list });
    await book.raise(tx, {
      kind: "DEVICE_FAILED",
      entity: { type: "vm", id: vm.id, name: vm.name },
      at,
      hostId: host.id,
      vmId: vm.id,
      message: `${vm.name} lost ${list.join("; ")} on ${host.name}: the host's agent registered without ${list.length === 1 ? "it" : "them"}, so ${list.length === 1 ? "it is" : "they are"} not allocated (HA eligibility recomputed) until seen again or replaced`,
    });
  }
  const still = new Set(vms.map((v) => v.id));
  const open = await tx.alert.findMany({ where: { kind: "DEVICE_FAILED", entityType: "vm", hostId: host.id, activeKey: { not: null } }, select: { entityId: true } });
  for (const a of open) if (!still.has(a.entityId)) await book.clear(tx, "DEVICE_FAILED", { type: "vm", id: a.entityId }, at);
  return losses;
}

// ------------------------------------------------------------------ admin actions

export interface DiscoveredDeviceRow {
  id: string;
  kind: "gpu" | "nic";
  identity: string;
  name: string;
  pciAddress: string | null;
  vendor: string | null;
  model: string | null;
  status: "new" | "ignored";
  firstSeenAt: Date;
  lastSeenAt: Date;
  data: DiscoveredData;
}

export interface MissingDeviceRow {
  id: string;
  kind: "gpu" | "nic";
  name: string;
  model: string | null;
  pciAddress: string | null;
  identity: string | null;
  missingSince: Date;
  /** VMs holding or naming it. */
  vms: string[];
}

function parseData(s: string | null): DiscoveredData {
  try {
    return s ? (JSON.parse(s) as DiscoveredData) : {};
  } catch {
    return {};
  }
}

/** The host's discovered (not in the inventory) and missing devices, for the host page. */
export async function listDeviceReconciliation(db: Tx, hostId: string): Promise<{ discovered: DiscoveredDeviceRow[]; missing: MissingDeviceRow[] }> {
  const [found, gpus, nics] = await Promise.all([
    db.discoveredDevice.findMany({ where: { hostId }, orderBy: [{ kind: "asc" }, { name: "asc" }] }),
    db.gpu.findMany({ where: { hostId, missingSince: { not: null } }, include: { allocations: { select: { vm: { select: { name: true } } } }, requests: { select: { vm: { select: { name: true } } } } }, orderBy: { name: "asc" } }),
    db.nic.findMany({ where: { hostId, missingSince: { not: null } }, include: { allocations: { select: { vm: { select: { name: true } } } } }, orderBy: { name: "asc" } }),
  ]);
  return {
    discovered: found.map((d) => ({ ...d, kind: d.kind as "gpu" | "nic", status: d.status as "new" | "ignored", data: parseData(d.data) })),
    missing: [
      ...gpus.map((g) => ({ id: g.id, kind: "gpu" as const, name: g.name, model: g.model, pciAddress: g.pciAddress, identity: g.identity, missingSince: g.missingSince!, vms: [...new Set([...g.allocations, ...g.requests].map((a) => a.vm.name))].sort() })),
      ...nics.map((n) => ({ id: n.id, kind: "nic" as const, name: n.name, model: null, pciAddress: n.pciAddress, identity: n.identity, missingSince: n.missingSince!, vms: [...new Set(n.allocations.map((a) => a.vm.name))].sort() })),
    ],
  };
}

function idOf(input: unknown, field: string): string {
  const v = input && typeof input === "object" ? (input as Record<string, unknown>)[field] : undefined;
  if (typeof v !== "string" || !v || v.length > 128) throw new AppError("VALIDATION", `${field} is required`, { [field]: [`Choose ${field === "replaces" ? "the missing device it replaces" : "a discovered device"}`] });
  return v;
}

async function discoveredRow(db: Tx, id: string) {
  const d = await db.discoveredDevice.findUnique({ where: { id }, include: { host: { select: { id: true, name: true } } } });
  if (!d) throw notFound("Discovered device", id);
  return d;
}

/**
 * Adds a discovered device to the inventory (admin): a GPU or NIC as the agent reported it, with
 * its identity, through the inventory services (validation, device tags, audit). A missing device
 * at the same PCI address (or with the same interface name) is named in the refusal: replace it.
 */
export async function addDiscoveredDevice(input: unknown, ctx?: ServiceCtx): Promise<{ kind: "gpu" | "nic"; id: string; name: string }> {
  authorize(ctx, "admin");
  const id = idOf(input, "id");
  const db = ctxDb(ctx);
  const d = await discoveredRow(db, id);
  const data = parseData(d.data);
  let created: { id: string; name: string };
  if (d.kind === "gpu") {
    const clash = d.pciAddress ? await db.gpu.findUnique({ where: { hostId_pciAddress: { hostId: d.hostId, pciAddress: d.pciAddress } }, select: { name: true, missingSince: true } }) : null;
    if (clash)
      throw conflict(`${clash.name} is at ${d.pciAddress} in the inventory${clash.missingSince ? " and missing: replace it with this card instead" : ""}`, { id: [`${clash.name} already holds ${d.pciAddress}`] });
    const taken = await db.gpu.findUnique({ where: { hostId_name: { hostId: d.hostId, name: d.name } }, select: { id: true } });
    const raw = {
      hostId: d.hostId,
      ...(taken ? {} : { name: d.name }),
      vendor: inventoryVendor(d.vendor),
      model: inventoryModel(d.model ?? d.name),
      pciAddress: d.pciAddress ?? "",
      mode: data.mode ?? "graphics",
      ...(data.vgpuProfile ? { vgpuProfile: data.vgpuProfile, vgpuSlots: data.vgpuSlots ?? undefined } : {}),
    };
    created = await createGpu(raw, ctx);
    await db.gpu.update({ where: { id: created.id }, data: { identity: d.identity } });
  } else {
    const clash = await db.nic.findUnique({ where: { hostId_name: { hostId: d.hostId, name: d.name } }, select: { name: true, missingSince: true } });
    if (clash) throw conflict(`The inventory has a NIC named ${d.name}${clash.missingSince ? " that is missing: replace it with this one instead" : ""}`, { id: [`${d.name} exists`] });
    created = await createNic(
      { hostId: d.hostId, name: d.name, role: data.role ?? "vm", sriovVfs: data.sriovVfs ?? 0, bond: data.bond ?? undefined, ...(speedGbps(data.speedMbps) ? { speedGbps: speedGbps(data.speedMbps) } : {}) },
      ctx,
    );
    await db.nic.update({ where: { id: created.id }, data: { identity: d.identity, pciAddress: d.pciAddress, linkUp: data.linkUp ?? true } });
  }
  await db.discoveredDevice.deleteMany({ where: { id: d.id } });
  return { kind: d.kind as "gpu" | "nic", id: created.id, name: created.name };
}

/**
 * The explicit re-map (admin): the missing device `replaces` (a GPU or NIC of the same host and
 * kind) becomes the discovered card — it takes the card's identity and address, keeps its name,
 * tags and allocations, and is no longer missing. Audited; the lost-device alerts are refreshed.
 */
export async function replaceWithDiscovered(input: unknown, ctx?: ServiceCtx): Promise<{ kind: "gpu" | "nic"; name: string }> {
  const id = idOf(input, "id");
  const replaces = idOf(input, "replaces");
  return inTransaction(ctx, async (tx) => {
    const d = await discoveredRow(tx, id);
    const at = new Date();
    if (d.kind === "gpu") {
      const g = await tx.gpu.findUnique({ where: { id: replaces } });
      if (!g || g.hostId !== d.hostId) throw notFound("GPU of this host", replaces);
      if (!g.missingSince) throw conflict(`${g.name} is not missing: only a missing device can be replaced`, { replaces: [`${g.name} is present`] });
      const other = d.pciAddress ? await tx.gpu.findUnique({ where: { hostId_pciAddress: { hostId: d.hostId, pciAddress: d.pciAddress } }, select: { id: true, name: true } }) : null;
      if (other && other.id !== g.id) throw conflict(`${other.name} is at ${d.pciAddress} in the inventory`, { replaces: [`${other.name} holds ${d.pciAddress}`] });
      const after = await tx.gpu.update({ where: { id: g.id }, data: { identity: d.identity, pciAddress: d.pciAddress ?? g.pciAddress, missingSince: null } });
      await writeAudit(tx, ctx, "replace-gpu", `gpu:${g.id}`, { identity: g.identity, pciAddress: g.pciAddress, missingSince: g.missingSince }, { identity: after.identity, pciAddress: after.pciAddress, discovered: d.name });
    } else {
      const n = await tx.nic.findUnique({ where: { id: replaces } });
      if (!n || n.hostId !== d.hostId) throw notFound("NIC of this host", replaces);
      if (!n.missingSince) throw conflict(`${n.name} is not missing: only a missing device can be replaced`, { replaces: [`${n.name} is present`] });
      const other = await tx.nic.findUnique({ where: { hostId_name: { hostId: d.hostId, name: d.name } }, select: { id: true, name: true } });
      if (other && other.id !== n.id) throw conflict(`The inventory has another NIC named ${d.name}`, { replaces: [`${d.name} exists`] });
      const after = await tx.nic.update({ where: { id: n.id }, data: { identity: d.identity, pciAddress: d.pciAddress, name: d.name, missingSince: null } });
      await writeAudit(tx, ctx, "replace-nic", `nic:${n.id}`, { identity: n.identity, name: n.name, missingSince: n.missingSince }, { identity: after.identity, name: after.name, discovered: d.name });
    }
    await tx.discoveredDevice.delete({ where: { id: d.id } });
    await tx.event.create({ data: { at, kind: "device-replaced", hostId: d.hostId, message: `${d.host.name}: ${d.kind.toUpperCase()} ${d.name} (${d.identity}) replaces the missing device by an admin's choice` } });
    await refreshLossAlerts(tx, d.hostId, at);
    return { kind: d.kind as "gpu" | "nic", name: d.name };
  });
}

/** An admin ignores (or un-ignores) a discovered device: it stays listed, apart, until it is gone. */
export async function setDiscoveredIgnored(input: unknown, ctx?: ServiceCtx): Promise<{ id: string; status: "new" | "ignored" }> {
  const id = idOf(input, "id");
  const ignored = !!(input as { ignored?: unknown }).ignored && (input as { ignored?: unknown }).ignored !== "false";
  return inTransaction(ctx, async (tx) => {
    const d = await discoveredRow(tx, id);
    const status = ignored ? "ignored" : "new";
    await tx.discoveredDevice.update({ where: { id: d.id }, data: { status } });
    await writeAudit(tx, ctx, ignored ? "ignore-discovered-device" : "unignore-discovered-device", `host:${d.hostId}`, null, { kind: d.kind, name: d.name, identity: d.identity });
    return { id: d.id, status };
  });
}
