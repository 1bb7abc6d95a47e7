// Stable device identities and the names a host gives its devices.
//
// A device's identity must survive a reboot and a PCI renumbering (a card moved to another slot is
// the same device) and must change when the card is replaced (a different card in the same slot is
// not). In order of preference:
//   1. the PCIe Device Serial Number (extended capability 0x0003 in config space; most data-centre
//      NICs and many GPUs carry one; root reads the whole 4 KiB config space),
//   2. a serial the driver publishes (e.g. a NIC's permanent MAC address),
//   3. the PCI address with vendor, device and subsystem ids — the best there is: a moved card
//      without a serial looks like a new one, which is the safe mistake (it is never silently
//      re-mapped onto another device's allocations).

/** The Device Serial Number from a PCI config space dump, as lspci prints it ("00-11-…"), or null. */
export function deviceSerialNumber(config: Buffer | null): string | null {
  if (!config || config.length < 0x108) return null;
  let off = 0x100;
  for (let hops = 0; off >= 0x100 && off + 12 <= config.length && hops < 64; hops++) {
    const header = config.readUInt32LE(off);
    if (header === 0 || header === 0xffffffff) return null;
    const capId = header & 0xffff;
    if (capId === 0x0003) {
      const lo = config.readUInt32LE(off + 4);
      const hi = config.readUInt32LE(off + 8);
      if (lo === 0 && hi === 0) return null;
      const bytes = [hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
      return bytes.map((b) => b.toString(16).padStart(2, "0")).join("-");
    }
    off = (header >>> 20) & 0xffc;
    if (off === 0) return null;
  }
  return null;
}

/** Writes a config space image with a DSN capability (for fake sysfs trees and tests). */
export function configSpaceWithSerial(vendorId: number, deviceId: number, serial: string | null): Buffer {
  const buf = Buffer.alloc(serial ? 4096 : 256);
  buf.writeUInt16LE(vendorId, 0);
  buf.writeUInt16LE(deviceId, 2);
  if (serial) {
    const bytes = serial.split("-").map((h) => parseInt(h, 16));
    if (bytes.length !== 8 || bytes.some((b) => !(b >= 0 && b <= 255))) throw new Error(`bad serial ${serial}`);
    // Another extended capability first (AER, 0x0001) so the walk is exercised, then the DSN.
    buf.writeUInt32LE(0x0001 | (1 << 16) | (0x140 << 20), 0x100);
    buf.writeUInt32LE(0x0003 | (1 << 16) | (0 << 20), 0x140);
    buf.writeUInt32LE(((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0, 0x144);
    buf.writeUInt32LE(((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0, 0x148);
  }
  return buf;
}

export interface IdentityInput {
  pciAddress: string;
  vendorId: string;
  deviceId: string;
  subsystemVendorId?: string | null;
  subsystemDeviceId?: string | null;
  serial?: string | null;
  /** A NIC's permanent MAC (addr_assign_type 0). */
  permanentMac?: string | null;
}

/** "dsn:<serial>", "mac:<mac>" or "pci:<vendor>:<device>:<subvendor>:<subdevice>@<address>". */
export function deviceIdentity(d: IdentityInput): string {
  if (d.serial) return `dsn:${d.serial}`;
  if (d.permanentMac) return `mac:${d.permanentMac.toLowerCase()}`;
  return `pci:${d.vendorId}:${d.deviceId}:${d.subsystemVendorId ?? "0000"}:${d.subsystemDeviceId ?? "0000"}@${d.pciAddress}`;
}

/**
 * Names for a host's devices that stay put: a device keeps the name it had (by identity, from the
 * agent's state file); new devices get the lowest free `<prefix><i>`. So a card moved to another
 * slot keeps its name and a replacement card in the same slot gets a new one.
 * `devices` must be in a stable order (PCI address).
 */
export function assignNames(devices: { identity: string }[], prefix: string, previous: Record<string, string> = {}): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const d of devices) {
    const prev = previous[d.identity];
    if (prev && !used.has(prev)) {
      out.set(d.identity, prev);
      used.add(prev);
    }
  }
  // Names of devices that went away stay reserved: a replacement card must not inherit them.
  for (const name of Object.values(previous)) used.add(name);
  let i = 0;
  for (const d of devices) {
    if (out.has(d.identity)) continue;
    while (used.has(`${prefix}${i}`)) i++;
    out.set(d.identity, `${prefix}${i}`);
    used.add(`${prefix}${i}`);
  }
  return out;
}
