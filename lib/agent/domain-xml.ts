// libvirt domain XML for a VM, and the plan that turns a console start command into one.
//
// Every domain the agent creates carries Haven metadata (namespace HAVEN_XMLNS): the VM id, its
// placement generation, the agent (host) name and the isolation policy. The agent only ever
// lists, stops or reports domains whose metadata names its own host, so several agents can share
// one libvirt (the tests run three "hosts" on one machine) and a guest someone else created is
// never touched. Domains are transient (`virsh create`): a guest that stops leaves nothing behind,
// and nothing autostarts behind the console's back after a reboot.
import crypto from "node:crypto";
import type { TStartVmPayload } from "../schemas/agent";
import type { HostInventory } from "./discover";

export const HAVEN_XMLNS = "https://haven.invalid/xmlns/agent/1";

export interface HavenMeta {
  vmId: string;
  vmName: string;
  generation: number;
  host: string;
  haPriority: "high" | "medium" | "low" | "off";
  /** The VM opted out of the isolation response: it keeps running when its host is cut off. */
  keepRunningWhenIsolated: boolean;
  commandId: string | null;
}

export type DiskSource =
  | { kind: "file"; path: string; format: "qcow2" | "raw" }
  | { kind: "block"; dev: string }
  | { kind: "iscsi"; host: string; port: number; iqn: string; lun: number };

export type DomainNic = { kind: "bridge"; bridge: string; mac: string } | { kind: "vf"; pciAddress: string; mac: string; label: string };

export type DomainHostdev = { kind: "pci"; pciAddress: string; label: string } | { kind: "mdev"; uuid: string; label: string };

export interface DomainSpec {
  name: string;
  uuid: string;
  /** "kvm" with /dev/kvm, else "qemu" (TCG). */
  virtType: "kvm" | "qemu";
  machine: string;
  vcpus: number;
  memoryMiB: number;
  meta: HavenMeta;
  disks: { index: number; source: DiskSource }[];
  nics: DomainNic[];
  hostdevs: DomainHostdev[];
  /** Serial console to this file (else a pty console). */
  serialLog: string | null;
}

const esc = (s: string | number) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);

/** "0000:3b:00.4" → the <address> element libvirt wants (a hostdev's source has no type attribute). */
export function pciAddressXml(addr: string, typed = true): string {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(addr);
  if (!m) throw new Error(`not a PCI address: ${addr}`);
  return `<address${typed ? " type='pci'" : ""} domain='0x${m[1]}' bus='0x${m[2]}' slot='0x${m[3]}' function='0x${m[4]}'/>`;
}

const diskTarget = (i: number) => "sd" + (i < 26 ? String.fromCharCode(97 + i) : String.fromCharCode(96 + Math.floor(i / 26)) + String.fromCharCode(97 + (i % 26)));

export function metadataXml(m: HavenMeta): string {
  return [
    `<haven:vm xmlns:haven='${HAVEN_XMLNS}'>`,
    `<haven:id>${esc(m.vmId)}</haven:id>`,
    `<haven:name>${esc(m.vmName)}</haven:name>`,
    `<haven:generation>${m.generation}</haven:generation>`,
    `<haven:host>${esc(m.host)}</haven:host>`,
    `<haven:priority>${esc(m.haPriority)}</haven:priority>`,
    `<haven:keepRunningWhenIsolated>${m.keepRunningWhenIsolated}</haven:keepRunningWhenIsolated>`,
    m.commandId ? `<haven:command>${esc(m.commandId)}</haven:command>` : "",
    `</haven:vm>`,
  ].join("");
}

/**
 * A domain XML (virsh dumpxml --migratable) with its Haven metadata replaced by `m`: a live
 * migration hands the destination this XML (virsh migrate --xml), so the guest arrives owned by the
 * target host with the migration's generation. Throws when the XML carries no Haven metadata.
 */
export function retagMetadata(domainXml: string, m: HavenMeta): string {
  const re = /(<metadata>[\s\S]*?)<(\w+:)?vm\b[^>]*xmlns(?::\w+)?=['"]https?:\/\/[^'"]*haven[^'"]*['"][^>]*>[\s\S]*?<\/\2?vm>([\s\S]*?<\/metadata>)/;
  if (!re.test(domainXml)) throw new Error("the domain has no Haven metadata");
  return domainXml
    .replace(re, (_all, before: string, _p: string, after: string) => `${before}${metadataXml(m)}${after}`)
    .replace(/<title>[^<]*<\/title>/, `<title>${esc(`${m.vmName} (Haven, generation ${m.generation})`)}</title>`);
}

/** Reads the metadata element back (`virsh metadata --uri HAVEN_XMLNS` prints it without the prefix). */
export function parseMetadata(input: string): HavenMeta | null {
  const el = /<(?:\w+:)?vm[\s>][\s\S]*?<\/(?:\w+:)?vm>/.exec(input);
  if (!el) return null;
  const xml = el[0];
  const get = (tag: string) => {
    const m = new RegExp(`<(?:\\w+:)?${tag}>([^<]*)</(?:\\w+:)?${tag}>`).exec(xml);
    return m ? m[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&") : null;
  };
  const vmId = get("id");
  const generation = get("generation");
  const host = get("host");
  if (!vmId || generation === null || !/^\d+$/.test(generation) || !host) return null;
  const prio = get("priority");
  return {
    vmId,
    vmName: get("name") ?? vmId,
    generation: Number(generation),
    host,
    haPriority: prio === "high" || prio === "medium" || prio === "low" || prio === "off" ? prio : "medium",
    keepRunningWhenIsolated: get("keepRunningWhenIsolated") === "true",
    commandId: get("command"),
  };
}

function diskXml(d: { index: number; source: DiskSource }): string {
  const target = `<target dev='${diskTarget(d.index)}' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='${d.index}'/>`;
  const s = d.source;
  if (s.kind === "file") return `<disk type='file' device='disk'><driver name='qemu' type='${s.format}' cache='none' discard='unmap'/><source file='${esc(s.path)}'/>${target}</disk>`;
  if (s.kind === "block") return `<disk type='block' device='disk'><driver name='qemu' type='raw' cache='none' io='native'/><source dev='${esc(s.dev)}'/>${target}</disk>`;
  return `<disk type='network' device='disk'><driver name='qemu' type='raw' cache='none'/><source protocol='iscsi' name='${esc(s.iqn)}/${s.lun}'><host name='${esc(s.host)}' port='${s.port}'/></source>${target}</disk>`;
}

function nicXml(n: DomainNic): string {
  if (n.kind === "bridge") return `<interface type='bridge'><mac address='${n.mac}'/><source bridge='${esc(n.bridge)}'/><model type='virtio'/></interface>`;
  return `<interface type='hostdev' managed='yes'><mac address='${n.mac}'/><source>${pciAddressXml(n.pciAddress)}</source><alias name='ua-${esc(aliasOf(n.label))}'/></interface>`;
}

function hostdevXml(h: DomainHostdev): string {
  if (h.kind === "pci") return `<hostdev mode='subsystem' type='pci' managed='yes'><source>${pciAddressXml(h.pciAddress, false)}</source><alias name='ua-${esc(aliasOf(h.label))}'/></hostdev>`;
  return `<hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci' display='off'><source><address uuid='${h.uuid}'/></source><alias name='ua-${esc(aliasOf(h.label))}'/></hostdev>`;
}

/** User aliases ("ua-…") must be [A-Za-z0-9_-]. */
const aliasOf = (label: string) => label.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 60);

/** The domain XML. Deterministic for a spec (tests compare it). */
export function buildDomainXml(d: DomainSpec): string {
  const lines = [
    `<domain type='${d.virtType}'>`,
    `  <name>${esc(d.name)}</name>`,
    `  <uuid>${d.uuid}</uuid>`,
    `  <title>${esc(`${d.meta.vmName} (Haven, generation ${d.meta.generation})`)}</title>`,
    `  <metadata>${metadataXml(d.meta)}</metadata>`,
    `  <memory unit='MiB'>${d.memoryMiB}</memory>`,
    `  <vcpu placement='static'>${d.vcpus}</vcpu>`,
    `  <os><type arch='x86_64' machine='${esc(d.machine)}'>hvm</type><boot dev='hd'/></os>`,
    `  <features><acpi/><apic/></features>`,
    ...(d.virtType === "kvm" ? [`  <cpu mode='host-passthrough' check='none'/>`] : []),
    `  <clock offset='utc'/>`,
    `  <on_poweroff>destroy</on_poweroff>`,
    `  <on_reboot>restart</on_reboot>`,
    `  <on_crash>destroy</on_crash>`,
    `  <devices>`,
    `    <controller type='usb' model='none'/>`,
    ...(d.disks.length ? [`    <controller type='scsi' index='0' model='virtio-scsi'/>`] : []),
    ...d.disks.map((x) => `    ${diskXml(x)}`),
    ...d.nics.map((n) => `    ${nicXml(n)}`),
    ...d.hostdevs.map((h) => `    ${hostdevXml(h)}`),
    d.serialLog ? `    <serial type='file'><source path='${esc(d.serialLog)}'/><target port='0'/></serial>` : `    <serial type='pty'><target port='0'/></serial>`,
    `    <console type='${d.serialLog ? "file" : "pty"}'>${d.serialLog ? `<source path='${esc(d.serialLog)}'/>` : ""}<target type='serial' port='0'/></console>`,
    `    <memballoon model='none'/>`,
    `  </devices>`,
    `</domain>`,
  ];
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Start command → domain spec

export interface PlanOptions {
  /** This agent's host name (the metadata's owner; the first part of every device label). */
  host: string;
  inventory: HostInventory;
  virtType: "kvm" | "qemu";
  machine?: string;
  /** Bridge for the VM's addresses (one virtio NIC per address); none → no bridge NIC. */
  bridge?: string | null;
  /**
   * Where disk i of a VM lives: a path template with {vmId} {vmName} {index} {controller}, or
   * iscsi://{controller}:3260/<iqn>/{index} for a network disk. Qcow2 for a .qcow2 path.
   */
  diskSource?: string;
  serialLogDir?: string | null;
  /** Prefix of domain names (default "haven"): `<prefix>-<host>-<vm>`. */
  namePrefix?: string;
}

export const DEFAULT_DISK_SOURCE = "/var/lib/haven/disks/{vmId}/disk{index}.qcow2";

/** What the agent must do before the domain starts (create the mdevs, set the VF vGPU types). */
export interface DevicePrep {
  mdevs: { parent: string; typeId: string; uuid: string }[];
  vfVgpuTypes: { vf: string; typeId: number }[];
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}

/** A UUID derived from stable inputs (v5-shaped), so a VM's vGPU keeps its UUID across restarts. */
export function stableUuid(...parts: string[]): string {
  const h = crypto.createHash("sha1").update(parts.join("\u0000")).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A locally administered unicast MAC derived from the VM and NIC index (52:54:00 is QEMU's). */
export function stableMac(vmId: string, index: number): string {
  const h = crypto.createHash("sha1").update(`${vmId}\u0000nic${index}`).digest();
  return ["52", "54", "00", h[0], h[1], h[2]].map((b) => (typeof b === "string" ? b : b.toString(16).padStart(2, "0"))).join(":");
}

/** libvirt domain names: [A-Za-z0-9_.-], unique per host and VM. */
export function domainName(host: string, vmName: string, prefix = "haven"): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `${prefix}-${clean(host)}-${clean(vmName)}`.slice(0, 200);
}

function diskSourceFor(template: string, vmId: string, vmName: string, index: number, controller: string): DiskSource {
  const fill = (t: string) => t.replace(/\{vmId\}/g, vmId).replace(/\{vmName\}/g, vmName).replace(/\{index\}/g, String(index)).replace(/\{controller\}/g, controller);
  const s = fill(template);
  const iscsi = /^iscsi:\/\/([^/:]+)(?::(\d+))?\/(.+)\/(\d+)$/.exec(s);
  if (iscsi) return { kind: "iscsi", host: iscsi[1], port: Number(iscsi[2] ?? 3260), iqn: iscsi[3], lun: Number(iscsi[4]) };
  if (s.startsWith("/dev/")) return { kind: "block", dev: s };
  return { kind: "file", path: s, format: s.endsWith(".qcow2") ? "qcow2" : "raw" };
}

export interface StartCommandLike {
  id: string;
  vmId: string;
  generation: number;
  payload: TStartVmPayload;
}

/**
 * The domain for a start command on this host. Devices are named by the console's labels
 * ("h1/h1-gpu0", "h1/h1-gpu0/slot1", "h1/ens1f0/vf3") and resolved against the discovered
 * inventory; a device the host does not have is a PlanError (the start is acknowledged failed).
 */
export function planDomain(cmd: StartCommandLike, o: PlanOptions): { spec: DomainSpec; prep: DevicePrep } {
  const p = cmd.payload;
  const inv = o.inventory;
  const prep: DevicePrep = { mdevs: [], vfVgpuTypes: [] };
  const hostdevs: DomainHostdev[] = [];
  const nics: DomainNic[] = [];
  let macIndex = 0;
  for (const d of p.devices) {
    const parts = d.device.split("/");
    const [host, devName, sub] = parts;
    if (host !== o.host) throw new PlanError(`device ${d.device} belongs to host ${host}, not ${o.host}`);
    if (d.type === "sriov") {
      const nic = inv.nics.find((n) => n.name === devName);
      const vfIndex = /^vf(\d+)$/.exec(sub ?? "")?.[1];
      if (!nic || vfIndex === undefined) throw new PlanError(`no NIC ${devName} on ${o.host} for ${d.device}`);
      const vf = nic.sriov?.vfs.find((v) => v.index === Number(vfIndex));
      if (!vf) throw new PlanError(`${o.host}/${devName} has no VF ${vfIndex} (SR-IOV VFs enabled: ${nic.sriov?.numVfs ?? 0})`);
      nics.push({ kind: "vf", pciAddress: vf.pciAddress, mac: stableMac(cmd.vmId, macIndex++), label: d.device });
      continue;
    }
    const gpu = inv.gpus.find((g) => g.name === devName);
    if (!gpu) throw new PlanError(`no GPU ${devName} on ${o.host} for ${d.device}`);
    if (d.type === "gpu") {
      hostdevs.push({ kind: "pci", pciAddress: gpu.pciAddress, label: d.device });
      continue;
    }
    const slot = Number(/^slot(\d+)$/.exec(sub ?? "")?.[1] ?? NaN);
    if (!Number.isInteger(slot)) throw new PlanError(`bad vGPU slot in ${d.device}`);
    if (gpu.sriov && gpu.vgpuTypes.length && !gpu.mdevTypes.length) {
      // SR-IOV vGPU: slot i is VF i; its vGPU type is set before the start when not set yet.
      const vf = gpu.sriov.vfs.find((v) => v.index === slot);
      if (!vf) throw new PlanError(`${o.host}/${devName} has no VF for vGPU slot ${slot}`);
      if (!vf.current) {
        const want = gpu.vgpuProfile ? gpu.vgpuTypes.find((t) => t.profile === gpu.vgpuProfile) : gpu.vgpuTypes[0];
        if (!want) throw new PlanError(`${o.host}/${devName}: no vGPU type to create on VF ${slot}`);
        prep.vfVgpuTypes.push({ vf: vf.pciAddress, typeId: Number(want.typeId) });
      }
      hostdevs.push({ kind: "pci", pciAddress: vf.pciAddress, label: d.device });
    } else if (gpu.mdevTypes.length) {
      const typeId = gpu.mdevTypes.find((t) => t.profile === gpu.vgpuProfile)?.typeId ?? gpu.mdevs[0]?.typeId ?? null;
      if (!typeId) throw new PlanError(`${o.host}/${devName}: no vGPU profile configured (no mdev exists and none is chosen)`);
      const uuid = stableUuid(cmd.vmId, d.key);
      if (!gpu.mdevs.some((m) => m.uuid === uuid)) prep.mdevs.push({ parent: gpu.pciAddress, typeId, uuid });
      hostdevs.push({ kind: "mdev", uuid, label: d.device });
    } else throw new PlanError(`${o.host}/${devName} offers no vGPU (no mdev types, no SR-IOV vGPU)`);
  }
  if (o.bridge) for (let i = 0; i < Math.max(1, p.ips.length); i++) nics.unshift({ kind: "bridge", bridge: o.bridge, mac: stableMac(cmd.vmId, 100 + i) });
  const disks = [...new Map(p.disks.map((d) => [d.index, d])).values()]
    .sort((a, b) => a.index - b.index)
    .map((d) => ({ index: d.index, source: diskSourceFor(o.diskSource ?? DEFAULT_DISK_SOURCE, cmd.vmId, p.vmName, d.index, d.controller) }));
  const name = domainName(o.host, p.vmName, o.namePrefix);
  const keep = (p as { keepRunningWhenIsolated?: unknown }).keepRunningWhenIsolated === true;
  const spec: DomainSpec = {
    name,
    uuid: crypto.randomUUID(),
    virtType: o.virtType,
    machine: o.machine ?? "q35",
    vcpus: Math.max(1, p.vcpus),
    memoryMiB: Math.max(16, p.memoryMiB),
    meta: { vmId: cmd.vmId, vmName: p.vmName, generation: cmd.generation, host: o.host, haPriority: p.haPriority, keepRunningWhenIsolated: keep, commandId: cmd.id },
    disks,
    nics,
    hostdevs,
    serialLog: o.serialLogDir ? `${o.serialLogDir.replace(/\/+$/, "")}/${name}.log` : null,
  };
  return { spec, prep };
}
