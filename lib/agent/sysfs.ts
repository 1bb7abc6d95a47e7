// Small readers over a sysfs tree rooted anywhere (the real /sys, or a fake tree in a test).
// Every reader answers null for a missing or unreadable attribute: discovery reports what is
// there and never fails on what is not.
import fs from "node:fs";
import path from "node:path";

export class Sysfs {
  constructor(readonly root: string) {}

  p(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  text(...parts: string[]): string | null {
    try {
      return fs.readFileSync(this.p(...parts), "utf8").trim();
    } catch {
      return null;
    }
  }

  int(...parts: string[]): number | null {
    const t = this.text(...parts);
    if (t === null || !/^-?\d+$/.test(t)) return null;
    return Number(t);
  }

  /** A hex attribute ("0x10de") as lower-case hex without 0x, padded to `width`. */
  hex(width: number, ...parts: string[]): string | null {
    const t = this.text(...parts);
    if (t === null || !/^(0x)?[0-9a-fA-F]+$/.test(t)) return null;
    return t.toLowerCase().replace(/^0x/, "").padStart(width, "0");
  }

  bytes(...parts: string[]): Buffer | null {
    try {
      return fs.readFileSync(this.p(...parts));
    } catch {
      return null;
    }
  }

  /** The last path element a symlink points to ("driver" → "vfio-pci"). */
  linkName(...parts: string[]): string | null {
    try {
      return path.basename(fs.readlinkSync(this.p(...parts)));
    } catch {
      return null;
    }
  }

  /** Where a symlink points, resolved to an absolute path (null when it is not a link). */
  resolve(...parts: string[]): string | null {
    try {
      return fs.realpathSync(this.p(...parts));
    } catch {
      return null;
    }
  }

  list(...parts: string[]): string[] {
    try {
      return fs.readdirSync(this.p(...parts)).sort();
    } catch {
      return [];
    }
  }

  exists(...parts: string[]): boolean {
    try {
      fs.lstatSync(this.p(...parts));
      return true;
    } catch {
      return false;
    }
  }

  isDir(...parts: string[]): boolean {
    try {
      return fs.statSync(this.p(...parts)).isDirectory();
    } catch {
      return false;
    }
  }
}

export const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** The last PCI address in a resolved sysfs path (a netdev under a virtio device under a PCI function). */
export function pciAddressInPath(p: string | null): string | null {
  if (!p) return null;
  const parts = p.split("/").filter((x) => PCI_ADDRESS.test(x));
  return parts.length ? parts[parts.length - 1] : null;
}
