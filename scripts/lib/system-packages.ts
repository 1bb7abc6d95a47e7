// The Debian packages the test suite drives for real (`npm test` installs what is missing):
// Chromium for Playwright; libvirt, QEMU and friends for the host agent. Each entry names a file that proves the package is there.
// As root: `apt-get update` then `apt-get install -y --no-install-recommends …`. Not root: print
// the one apt command to run and stop (exit 2) — nothing is downloaded from anywhere else.
import fs from "node:fs";
import { run } from "./proc";

export interface SystemPackage {
  /** Debian package name. */
  pkg: string;
  /** A file the package installs (present → installed). */
  proof: string;
  /** What the tests use it for. */
  why: string;
}

export const TEST_PACKAGES: SystemPackage[] = [
  { pkg: "chromium", proof: process.env.CHROMIUM_PATH || "/usr/bin/chromium", why: "Playwright drives the system Chromium" },
  // haven-agent (lib/agent): real libvirt with QEMU guests (KVM, or TCG without /dev/kvm).
  { pkg: "libvirt-daemon-system", proof: "/usr/sbin/libvirtd", why: "haven-agent tests run guests through a real libvirtd" },
  { pkg: "libvirt-clients", proof: "/usr/bin/virsh", why: "haven-agent drives libvirt with virsh; virt-xml-validate checks its domain XML" },
  { pkg: "qemu-system-x86", proof: "/usr/bin/qemu-system-x86_64", why: "the agent's end-to-end guests are real QEMU processes" },
  { pkg: "qemu-utils", proof: "/usr/bin/qemu-img", why: "disk images for agent domains" },
  { pkg: "libxml2-utils", proof: "/usr/bin/xmllint", why: "virt-xml-validate needs xmllint" },
  { pkg: "tini", proof: "/usr/bin/tini", why: "reaps QEMU under libvirtd when there is no systemd (tests/support/libvirtd.ts)" },
  { pkg: "pciutils", proof: "/usr/bin/lspci", why: "the discovery test compares with lspci on this machine" },
  { pkg: "pci.ids", proof: "/usr/share/misc/pci.ids", why: "GPU and NIC model names in discovery" },
  { pkg: "prometheus", proof: "/usr/bin/prometheus", why: "tests/metrics: a real Prometheus scrapes the console's /api/metrics" },
  // Several console instances (issue 13): a throwaway PostgreSQL server, haproxy in front.
  { pkg: "postgresql", proof: "/usr/share/postgresql-common/pg_wrapper", why: "the service/controller suites and the multi-instance tests run on a throwaway PostgreSQL (scripts/lib/postgres-server.ts)" },
  { pkg: "haproxy", proof: "/usr/sbin/haproxy", why: "the multi-instance tests put haproxy in front of three console instances" },
];

export function missingPackages(list: SystemPackage[] = TEST_PACKAGES): SystemPackage[] {
  return list.filter((p) => !fs.existsSync(p.proof));
}

/** Installs the missing packages (root) or explains how (not root). Returns false when something is still missing. */
export async function ensureSystemPackages(list: SystemPackage[] = TEST_PACKAGES): Promise<boolean> {
  const missing = missingPackages(list);
  if (!missing.length) return true;
  const names = missing.map((p) => p.pkg);
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${names.join(" ")}`;
  if (process.getuid?.() !== 0) {
    console.error(`The tests need these Debian packages: ${missing.map((p) => `${p.pkg} (${p.why})`).join(", ")}.\nRun as root:\n  ${cmd}`);
    return false;
  }
  console.error(`installing ${names.join(", ")} (Debian packages the tests drive)`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  if ((await run("apt-get", ["update"], { env })) !== 0) return false;
  if ((await run("apt-get", ["install", "-y", "--no-install-recommends", ...names], { env })) !== 0) return false;
  return missingPackages(list).length === 0;
}
