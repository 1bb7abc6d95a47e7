// Host discovery from sysfs: GPUs (PCI class 0x0300 VGA / 0x0302 3D controller) with their vGPU
// types (mdev, or NVIDIA's per-VF SR-IOV vGPU), SR-IOV NICs with their VFs, bonds and link state.
// `discover(sysfsRoot)` reads only: it is safe on any machine, on the real /sys or on a fake tree.
//
//   /sys/bus/pci/devices/<addr>/          class vendor device subsystem_* numa_node config
//        driver -> …/drivers/<name>       iommu_group -> …/iommu_groups/<n>
//        sriov_totalvfs sriov_numvfs virtfn<i> -> ../<vf addr>   (a VF: physfn -> ../<pf addr>)
//        mdev_supported_types/<type>/{name,available_instances,device_api}   <uuid>/mdev_type -> …
//        nvidia/{creatable_vgpu_types,current_vgpu_type}   (on SR-IOV vGPU VFs)
//        net/<ifname>
//   /sys/class/net/<if>/ operstate carrier address addr_assign_type speed device master
//        bonding/{slaves,mode}   (on a bond)
import { Sysfs, pciAddressInPath } from "./sysfs";
import { assignNames, deviceIdentity, deviceSerialNumber } from "./identity";
import { pciIds as sharedPciIds, type PciIds } from "./pci-ids";
import { parseCreatableVgpuTypes, parseVgpuTypeName, type VgpuTypeName } from "./vgpu-types";

export interface PciFunction {
  pciAddress: string;
  vendorId: string;
  deviceId: string;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  /** Six hex digits, e.g. "030200". */
  classCode: string;
  driver: string | null;
  numaNode: number | null;
  iommuGroup: number | null;
  serial: string | null;
}

export interface VgpuType extends VgpuTypeName {
  /** mdev type directory ("nvidia-63") or the SR-IOV vGPU type id ("1414"). */
  typeId: string;
  /** The driver's full name ("NVIDIA A100-1-5C"). */
  name: string;
  /** mdev: available_instances; SR-IOV: VFs that can create it now. */
  available: number;
  deviceApi: string | null;
}

export interface VgpuVf {
  index: number;
  pciAddress: string;
  driver: string | null;
  iommuGroup: number | null;
  /** Types this VF can create now (empty when it holds a vGPU or the GPU is full). */
  creatable: { id: number; name: string }[];
  /** The vGPU type configured on this VF, or null. */
  current: { id: number; name: string | null } | null;
}

export interface DiscoveredGpu extends PciFunction {
  /** Stable identity: "dsn:…" or "pci:<ids>@<address>". */
  identity: string;
  /** The host's name for it ("<host>-gpu0"), filled by `nameDevices`. */
  name: string | null;
  vendor: string | null;
  model: string;
  /** pci.ids' device name ("GA100 [A100 PCIe 40GB]"), or the override table's. */
  pciName: string | null;
  /** mdev vGPU: the types the card offers and the mdevs that exist. */
  mdevTypes: VgpuType[];
  mdevs: { uuid: string; typeId: string | null }[];
  /** SR-IOV (PF): VF counts and, for NVIDIA's SR-IOV vGPU, the per-VF vGPU state. */
  sriov: { totalVfs: number; numVfs: number; vfs: VgpuVf[] } | null;
  /** Every vGPU type the card can host (mdev types, or the union of its VFs' creatable and current types). */
  vgpuTypes: VgpuType[];
  /** The vGPU profile configured now (the type of its existing mdevs / VF vGPUs), with how many. */
  vgpuProfile: string | null;
  vgpuInstances: number;
}

export interface NicVf {
  index: number;
  pciAddress: string;
  netdev: string | null;
  driver: string | null;
}

export interface DiscoveredNic {
  name: string;
  identity: string;
  pciAddress: string | null;
  vendorId: string | null;
  deviceId: string | null;
  model: string | null;
  driver: string | null;
  mac: string | null;
  linkUp: boolean;
  operstate: string | null;
  speedMbps: number | null;
  numaNode: number | null;
  /** The bond it is enslaved to, if any. */
  bond: string | null;
  sriov: { totalVfs: number; numVfs: number; vfs: NicVf[] } | null;
}

export interface DiscoveredBond {
  name: string;
  mode: string | null;
  members: string[];
  /** Members whose link is up. */
  membersUp: string[];
  linkUp: boolean;
}

export interface HostInventory {
  sysfsRoot: string;
  gpus: DiscoveredGpu[];
  nics: DiscoveredNic[];
  bonds: DiscoveredBond[];
  /** What could not be read (permission, odd values); discovery still answers. */
  warnings: string[];
  pciIdsAvailable: boolean;
}

export interface DiscoverOptions {
  pciIds?: PciIds;
}

const GPU_CLASSES = new Set(["0300", "0302"]);
/** Display controllers of server boards (BMC video: ASPEED, Matrox G200): never a GPU for a VM. */
const BOARD_VIDEO_VENDORS = new Set(["1a03", "102b"]);

function readPci(s: Sysfs, addr: string): PciFunction | null {
  const dir = ["bus", "pci", "devices", addr];
  const vendorId = s.hex(4, ...dir, "vendor");
  const deviceId = s.hex(4, ...dir, "device");
  const classCode = s.hex(6, ...dir, "class");
  if (!vendorId || !deviceId || !classCode) return null;
  const iommu = s.linkName(...dir, "iommu_group");
  const numa = s.int(...dir, "numa_node");
  return {
    pciAddress: addr,
    vendorId,
    deviceId,
    subsystemVendorId: s.hex(4, ...dir, "subsystem_vendor"),
    subsystemDeviceId: s.hex(4, ...dir, "subsystem_device"),
    classCode,
    driver: s.linkName(...dir, "driver"),
    numaNode: numa === null || numa < 0 ? null : numa,
    iommuGroup: iommu !== null && /^\d+$/.test(iommu) ? Number(iommu) : null,
    serial: deviceSerialNumber(s.bytes(...dir, "config")),
  };
}

/** virtfn<i> links of a PF, by index. */
function virtfns(s: Sysfs, addr: string): { index: number; pciAddress: string }[] {
  const out: { index: number; pciAddress: string }[] = [];
  for (const e of s.list("bus", "pci", "devices", addr)) {
    const m = /^virtfn(\d+)$/.exec(e);
    if (!m) continue;
    const target = s.linkName("bus", "pci", "devices", addr, e);
    if (target) out.push({ index: Number(m[1]), pciAddress: target });
  }
  return out.sort((a, b) => a.index - b.index);
}

function mdevTypes(s: Sysfs, addr: string): VgpuType[] {
  const base = ["bus", "pci", "devices", addr, "mdev_supported_types"];
  return s.list(...base).map((typeId) => {
    const name = s.text(...base, typeId, "name") ?? typeId;
    return {
      ...parseVgpuTypeName(name),
      typeId,
      name,
      available: s.int(...base, typeId, "available_instances") ?? 0,
      deviceApi: s.text(...base, typeId, "device_api"),
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function existingMdevs(s: Sysfs, addr: string): { uuid: string; typeId: string | null }[] {
  return s
    .list("bus", "pci", "devices", addr)
    .filter((e) => UUID.test(e))
    .map((uuid) => ({ uuid, typeId: s.linkName("bus", "pci", "devices", addr, uuid, "mdev_type") }));
}

function gpuFromPci(s: Sysfs, fn: PciFunction, ids: PciIds): DiscoveredGpu {
  const names = ids.lookup(fn.vendorId, fn.deviceId, fn.subsystemVendorId, fn.subsystemDeviceId);
  const types = mdevTypes(s, fn.pciAddress);
  const mdevs = existingMdevs(s, fn.pciAddress);
  let sriov: DiscoveredGpu["sriov"] = null;
  const total = s.int("bus", "pci", "devices", fn.pciAddress, "sriov_totalvfs");
  if (total !== null) {
    const vfs: VgpuVf[] = virtfns(s, fn.pciAddress).map(({ index, pciAddress }) => {
      const dir = ["bus", "pci", "devices", pciAddress];
      const hasVgpu = s.isDir(...dir, "nvidia");
      const creatable = hasVgpu ? parseCreatableVgpuTypes(s.text(...dir, "nvidia", "creatable_vgpu_types") ?? "") : [];
      const cur = hasVgpu ? s.int(...dir, "nvidia", "current_vgpu_type") : null;
      const iommu = s.linkName(...dir, "iommu_group");
      return {
        index,
        pciAddress,
        driver: s.linkName(...dir, "driver"),
        iommuGroup: iommu !== null && /^\d+$/.test(iommu) ? Number(iommu) : null,
        creatable,
        current: cur ? { id: cur, name: null } : null,
      };
    });
    // A VF holding a vGPU no longer lists its type as creatable: name it from its siblings.
    const byId = new Map<number, string>();
    for (const vf of vfs) for (const t of vf.creatable) byId.set(t.id, t.name);
    for (const vf of vfs) if (vf.current) vf.current.name = byId.get(vf.current.id) ?? null;
    sriov = { totalVfs: total, numVfs: s.int("bus", "pci", "devices", fn.pciAddress, "sriov_numvfs") ?? vfs.length, vfs };
  }

  let vgpuTypes: VgpuType[] = types;
  let vgpuProfile: string | null = null;
  let vgpuInstances = 0;
  if (types.length) {
    const counts = new Map<string, number>();
    for (const m of mdevs) if (m.typeId) counts.set(m.typeId, (counts.get(m.typeId) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0];
    if (top) {
      vgpuProfile = types.find((t) => t.typeId === top[0])?.profile ?? top[0];
      vgpuInstances = mdevs.length;
    }
  } else if (sriov?.vfs.some((vf) => vf.creatable.length || vf.current)) {
    const agg = new Map<number, VgpuType>();
    for (const vf of sriov.vfs) {
      for (const t of vf.creatable) {
        const e = agg.get(t.id) ?? { ...parseVgpuTypeName(t.name), typeId: String(t.id), name: t.name, available: 0, deviceApi: "vfio-pci" };
        e.available++;
        agg.set(t.id, e);
      }
      if (vf.current?.name && !agg.has(vf.current.id)) agg.set(vf.current.id, { ...parseVgpuTypeName(vf.current.name), typeId: String(vf.current.id), name: vf.current.name, available: 0, deviceApi: "vfio-pci" });
    }
    vgpuTypes = [...agg.values()].sort((a, b) => Number(a.typeId) - Number(b.typeId));
    const current = sriov.vfs.filter((vf) => vf.current);
    vgpuInstances = current.length;
    if (current.length) {
      const name = current[0].current!.name;
      vgpuProfile = name ? parseVgpuTypeName(name).profile : String(current[0].current!.id);
    }
  }

  return {
    ...fn,
    identity: deviceIdentity(fn),
    name: null,
    vendor: names.vendor,
    model: ids.modelName(fn.vendorId, fn.deviceId, fn.subsystemVendorId, fn.subsystemDeviceId),
    pciName: names.device,
    mdevTypes: types,
    mdevs,
    sriov,
    vgpuTypes,
    vgpuProfile,
    vgpuInstances,
  };
}

function discoverNics(s: Sysfs, ids: PciIds, warnings: string[]): { nics: DiscoveredNic[]; bonds: DiscoveredBond[] } {
  const nics: DiscoveredNic[] = [];
  const bonds: DiscoveredBond[] = [];
  const linkUp = (ifname: string) => {
    const oper = s.text("class", "net", ifname, "operstate");
    const carrier = s.int("class", "net", ifname, "carrier");
    return oper === "up" || (oper === "unknown" && carrier === 1);
  };
  for (const ifname of s.list("class", "net")) {
    if (ifname === "lo") continue;
    if (s.isDir("class", "net", ifname, "bonding")) {
      const members = (s.text("class", "net", ifname, "bonding", "slaves") ?? "").split(/\s+/).filter(Boolean).sort();
      const up = members.filter(linkUp);
      bonds.push({ name: ifname, mode: s.text("class", "net", ifname, "bonding", "mode")?.split(/\s+/)[0] ?? null, members, membersUp: up, linkUp: up.length > 0 });
      continue;
    }
    // Physical (PCI-backed) interfaces only: a netdev whose device is a PCI function, or under one.
    const devPath = s.resolve("class", "net", ifname, "device");
    const pciAddress = pciAddressInPath(devPath);
    if (!pciAddress) continue;
    // A VF's netdev is listed under its PF, not as a NIC of its own.
    if (s.exists("bus", "pci", "devices", pciAddress, "physfn")) continue;
    const fn = readPci(s, pciAddress);
    if (!fn) {
      warnings.push(`${ifname}: PCI function ${pciAddress} unreadable`);
      continue;
    }
    const mac = s.text("class", "net", ifname, "address");
    const permanent = s.int("class", "net", ifname, "addr_assign_type") === 0;
    const speed = s.int("class", "net", ifname, "speed");
    let sriov: DiscoveredNic["sriov"] = null;
    const total = s.int("bus", "pci", "devices", pciAddress, "sriov_totalvfs");
    if (total !== null) {
      const vfs = virtfns(s, pciAddress).map(({ index, pciAddress: vfAddr }) => ({
        index,
        pciAddress: vfAddr,
        netdev: s.list("bus", "pci", "devices", vfAddr, "net")[0] ?? null,
        driver: s.linkName("bus", "pci", "devices", vfAddr, "driver"),
      }));
      sriov = { totalVfs: total, numVfs: s.int("bus", "pci", "devices", pciAddress, "sriov_numvfs") ?? vfs.length, vfs };
    }
    const masterPath = s.resolve("class", "net", ifname, "master");
    nics.push({
      name: ifname,
      // A dual-port card has one serial per port function in practice, but not always: the port's
      // function number keeps the two apart.
      identity: fn.serial ? `dsn:${fn.serial}.${pciAddress.slice(-1)}` : deviceIdentity({ ...fn, permanentMac: permanent ? mac : null }),
      pciAddress,
      vendorId: fn.vendorId,
      deviceId: fn.deviceId,
      model: ids.modelName(fn.vendorId, fn.deviceId, fn.subsystemVendorId, fn.subsystemDeviceId),
      driver: fn.driver,
      mac,
      linkUp: linkUp(ifname),
      operstate: s.text("class", "net", ifname, "operstate"),
      speedMbps: speed !== null && speed > 0 ? speed : null,
      numaNode: fn.numaNode,
      bond: masterPath ? masterPath.split("/").pop()! : null,
      sriov,
    });
  }
  // A master link may name a bridge rather than a bond: keep only bonds.
  const bondNames = new Set(bonds.map((b) => b.name));
  for (const n of nics) if (n.bond && !bondNames.has(n.bond)) n.bond = null;
  return { nics, bonds };
}

/** Everything the host has, read from `sysfsRoot` (default /sys). GPUs and NICs in PCI address / name order. */
export function discover(sysfsRoot = "/sys", opts: DiscoverOptions = {}): HostInventory {
  const s = new Sysfs(sysfsRoot);
  const ids = opts.pciIds ?? sharedPciIds();
  const warnings: string[] = [];
  if (!s.isDir("bus", "pci", "devices")) warnings.push(`${s.p("bus", "pci", "devices")} not found: no PCI devices discovered`);
  const gpus: DiscoveredGpu[] = [];
  for (const addr of s.list("bus", "pci", "devices")) {
    const fn = readPci(s, addr);
    if (!fn) continue;
    if (!GPU_CLASSES.has(fn.classCode.slice(0, 4)) || BOARD_VIDEO_VENDORS.has(fn.vendorId)) continue;
    // VFs of an SR-IOV GPU are its vGPU slots, not GPUs of their own.
    if (s.exists("bus", "pci", "devices", addr, "physfn")) continue;
    gpus.push(gpuFromPci(s, fn, ids));
  }
  const { nics, bonds } = discoverNics(s, ids, warnings);
  return { sysfsRoot, gpus, nics, bonds, warnings, pciIdsAvailable: ids.available };
}

/** Device names as stored in the agent's state: identity → name. */
export interface DeviceNames {
  gpus: Record<string, string>;
}

/**
 * Gives every GPU its host-local name (`<host>-gpu<i>`, the console's default naming), keeping the
 * names of devices seen before (by identity) and never reusing a name of a device that went away.
 * Returns the names to keep in the state file.
 */
export function nameDevices(inv: HostInventory, hostName: string, previous: DeviceNames = { gpus: {} }): DeviceNames {
  const names = assignNames(inv.gpus, `${hostName}-gpu`, previous.gpus);
  for (const g of inv.gpus) g.name = names.get(g.identity)!;
  return { gpus: { ...previous.gpus, ...Object.fromEntries(names) } };
}

/** Link state of the named interfaces now (cheap: two attributes each), for every heartbeat. */
export function readLinks(sysfsRoot: string, names: string[]): { name: string; linkUp: boolean }[] {
  const s = new Sysfs(sysfsRoot);
  return names.map((name) => {
    const oper = s.text("class", "net", name, "operstate");
    const carrier = s.int("class", "net", name, "carrier");
    return { name, linkUp: oper === "up" || (oper === "unknown" && carrier === 1) };
  });
}
