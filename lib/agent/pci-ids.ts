// PCI ids → names, from the pci.ids database (Debian package `pci.ids`: /usr/share/misc/pci.ids)
// with a small override table for devices newer than the distribution's copy (Debian 12 ships
// the 2023-04 file: no H200, L40S, B200 …). Overrides win, so a generic "GH100" entry can be
// named more precisely.
//
// The file is ~1.4 MB; it is read once per process and only the vendors asked for are indexed.
import fs from "node:fs";

export const PCI_IDS_PATHS = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"];

/** `vvvv:dddd` (lower-case hex) → device name, for devices newer than the packaged pci.ids. */
export const PCI_DEVICE_OVERRIDES: Record<string, string> = {
  "10de:2321": "GH100 [H100 NVL]",
  "10de:2335": "GH100 [H200 SXM 141GB]",
  "10de:233b": "GH100 [H200 NVL]",
  "10de:2342": "GH100 [GH200 120GB / 480GB]",
  "10de:26b9": "AD102GL [L40S]",
  "10de:2901": "GB100 [B200]",
};

/** Vendors named without the company suffix ("NVIDIA Corporation" → "NVIDIA"). */
const VENDOR_SHORT: Record<string, string> = { "10de": "NVIDIA", "8086": "Intel", "15b3": "Mellanox", "1002": "AMD", "14e4": "Broadcom", "1af4": "Red Hat", "1077": "QLogic" };

export interface PciNames {
  vendor: string | null;
  device: string | null;
  subsystem: string | null;
}

interface VendorEntry {
  name: string;
  devices: Map<string, { name: string; subsystems: Map<string, string> }>;
}

export class PciIds {
  private vendors = new Map<string, VendorEntry | null>();
  private text: string | null;

  constructor(text: string | null) {
    this.text = text;
  }

  /** Reads the first pci.ids found (or `file`); without one only the override table answers. */
  static load(file?: string): PciIds {
    for (const p of file ? [file] : PCI_IDS_PATHS) {
      try {
        return new PciIds(fs.readFileSync(p, "utf8"));
      } catch {
        /* try the next */
      }
    }
    return new PciIds(null);
  }

  get available(): boolean {
    return this.text !== null;
  }

  private vendor(id: string): VendorEntry | null {
    if (this.vendors.has(id)) return this.vendors.get(id)!;
    let entry: VendorEntry | null = null;
    const text = this.text;
    if (text) {
      // A vendor line is "vvvv  Name" at the start of a line; its devices follow, indented by one
      // tab, their subsystems by two, until the next unindented line.
      const re = new RegExp(`^${id}  (.+)$`, "m");
      const m = re.exec(text);
      if (m) {
        entry = { name: m[1].trim(), devices: new Map() };
        let pos = m.index + m[0].length + 1;
        let current: { name: string; subsystems: Map<string, string> } | null = null;
        while (pos < text.length) {
          const end = text.indexOf("\n", pos);
          const line = text.slice(pos, end < 0 ? text.length : end);
          pos = end < 0 ? text.length : end + 1;
          if (line === "" || line.startsWith("#")) continue;
          if (!line.startsWith("\t")) break;
          if (line.startsWith("\t\t")) {
            const s = /^\t\t([0-9a-f]{4}) ([0-9a-f]{4})\s+(.+)$/.exec(line);
            if (s && current) current.subsystems.set(`${s[1]}:${s[2]}`, s[3].trim());
            continue;
          }
          const d = /^\t([0-9a-f]{4})\s+(.+)$/.exec(line);
          if (d) {
            current = { name: d[2].trim(), subsystems: new Map() };
            entry.devices.set(d[1], current);
          }
        }
      }
    }
    this.vendors.set(id, entry);
    return entry;
  }

  /** Names of a device; ids are hex with or without 0x. */
  lookup(vendorId: string, deviceId: string, subsystemVendorId?: string | null, subsystemDeviceId?: string | null): PciNames {
    const v = hex4(vendorId);
    const d = hex4(deviceId);
    const entry = this.vendor(v);
    const dev = entry?.devices.get(d);
    const sub = subsystemVendorId && subsystemDeviceId ? dev?.subsystems.get(`${hex4(subsystemVendorId)}:${hex4(subsystemDeviceId)}`) : undefined;
    return {
      vendor: entry?.name ?? null,
      device: PCI_DEVICE_OVERRIDES[`${v}:${d}`] ?? dev?.name ?? null,
      subsystem: sub ?? null,
    };
  }

  /**
   * A model name for the console: the vendor's short name and the marketing name in brackets when
   * pci.ids has one ("GA100 [A100 PCIe 40GB]" → "NVIDIA A100 PCIe 40GB"), else the chip name,
   * else the raw ids ("10de:2999").
   */
  modelName(vendorId: string, deviceId: string, subsystemVendorId?: string | null, subsystemDeviceId?: string | null): string {
    const v = hex4(vendorId);
    const n = this.lookup(vendorId, deviceId, subsystemVendorId, subsystemDeviceId);
    const vendor = VENDOR_SHORT[v] ?? (n.vendor ? shortVendor(n.vendor) : null);
    if (!n.device) return `${vendor ? vendor + " " : ""}${v}:${hex4(deviceId)}`;
    const bracket = /\[([^\]]+)\]\s*$/.exec(n.device);
    const name = (bracket ? bracket[1] : n.device).trim();
    return vendor && !name.toLowerCase().startsWith(vendor.toLowerCase()) ? `${vendor} ${name}` : name;
  }
}

function shortVendor(name: string): string {
  return name.replace(/,?\s+(Corporation|Corp\.?|Inc\.?|Co\.,? Ltd\.?|Ltd\.?|Technologies|Limited|GmbH)$/i, "").trim();
}

/** "0x10DE" / "10de" → "10de". */
export function hex4(id: string): string {
  return id.trim().toLowerCase().replace(/^0x/, "").padStart(4, "0");
}

let shared: PciIds | null = null;
/** The process-wide database (loaded on first use). */
export function pciIds(): PciIds {
  return (shared ??= PciIds.load());
}
