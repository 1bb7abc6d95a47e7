// The hypervisor driver: libvirt through `virsh` (execFile, ~20–60 ms a call; the npm bindings are
// thin or unmaintained). The agent sees only domains whose Haven metadata names its own host.
//
//   list      virsh list --uuid --name            (active domains) + virsh metadata once per new uuid
//   create    virsh create <file>                 (transient: nothing is left when it stops)
//   destroy   virsh destroy <uuid>
//   shutdown  virsh shutdown <uuid>               (ACPI; the caller destroys after a timeout)
//   migrate   virsh migrate --live <uuid> <dest> --xml <file>   (the destination's XML: metadata retagged)
//   events    virsh event --loop --event lifecycle (restarted when it exits)
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { HAVEN_XMLNS, parseMetadata, type HavenMeta } from "./domain-xml";

export interface OwnedDomain {
  uuid: string;
  name: string;
  meta: HavenMeta;
}

export interface LifecycleEvent {
  domain: string;
  /** "Started", "Stopped", "Crashed", "Suspended", "Resumed", "Shutdown", … */
  event: string;
  /** "Booted", "Destroyed", "Failed", "Crashed", "Shutdown", … */
  detail: string;
}

/** What the agent needs from a hypervisor (the tests give it a fake). */
export interface Hypervisor {
  /** Active domains whose metadata names `host`. */
  listOwned(host: string): Promise<OwnedDomain[]>;
  create(xml: string): Promise<void>;
  /** Idempotent: a domain that is already gone is not an error. */
  destroy(uuid: string): Promise<void>;
  shutdown(uuid: string): Promise<void>;
  /** The domain's XML for a migration (virsh dumpxml --migratable). */
  dumpXml?(uuid: string): Promise<string>;
  /** Live migration to another libvirt (`destUri`), the destination taking `xml` (its metadata retagged). */
  migrate?(uuid: string, destUri: string, xml: string): Promise<void>;
  /** Lifecycle events as they happen; returns a stop function. */
  watch(onEvent: (e: LifecycleEvent) => void, onError?: (err: Error) => void): () => void;
}

export class VirshError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(cleanVirshError(stderr) || `virsh ${args.join(" ")} failed (${code})`);
    this.name = "VirshError";
  }
}

/** "error: Failed to create domain from x\nerror: unsupported configuration: …" → "Failed to create domain from x: unsupported configuration: …". */
export function cleanVirshError(stderr: string): string {
  return stderr
    .split("\n")
    .map((l) => l.replace(/^error:\s*/, "").trim())
    .filter(Boolean)
    .join(": ");
}

/**
 * A start error as an admin should read it in the failed ack: what is missing on the host, then
 * libvirt's own words.
 */
export function explainStartError(host: string, message: string): string {
  const rules: [RegExp, string][] = [
    [/host doesn't support passthrough of host PCI devices/i, `PCI passthrough is not available on ${host}: no IOMMU/VFIO (boot with intel_iommu=on or amd_iommu=on, load vfio-pci)`],
    [/Mediated host device assignment requires VFIO support/i, `vGPU (mdev) is not available on ${host}: VFIO is missing (load vfio-pci and the NVIDIA vGPU manager)`],
    [/is in use by driver \S+, domain (\S+)/i, `a device is already in use by another guest on ${host}`],
    [/Device \S+ not found|could not access \/sys\/bus\/pci\/devices/i, `a PCI device of the VM is missing on ${host}`],
    [/mdev device .* not found|failed to open .*mdev|mediated device .* not found/i, `a vGPU (mdev) of the VM is missing on ${host}`],
    [/Cannot access storage file|No such file or directory.*(qcow2|disk)|Could not open '\/.*'/i, `a disk of the VM is not reachable on ${host}`],
    [/Cannot get interface MTU on '([^']+)'|Cannot get index for interface|bridge .* not found|Cannot find bridge/i, `the VM's bridge does not exist on ${host}`],
    [/cannot allocate memory|Cannot set up guest memory/i, `not enough memory on ${host}`],
    [/domain .* already exists with uuid|already exists/i, `a domain of that name already runs on ${host}`],
    [/Failed to connect socket|Cannot recv data|failed to connect to the hypervisor|libvirt-sock/i, `libvirt is not reachable on ${host}`],
  ];
  for (const [re, text] of rules) if (re.test(message)) return `${text} — ${message}`.slice(0, 2000);
  return message.slice(0, 2000);
}

/** A failed live migration as an admin should read it in the failed ack. */
export function explainMigrateError(from: string, to: string, message: string): string {
  const rules: [RegExp, string][] = [
    [/Attempt to migrate guest to the same host/i, `${from} and ${to} share one libvirtd (the same machine): a live migration needs two`],
    [/this function is not supported by the connection driver/i, `the libvirt driver of ${from} cannot live-migrate`],
    [/Failed to connect socket|unable to connect to server|Cannot recv data|No route to host|Connection refused|Permission denied \(publickey/i, `${from} cannot reach ${to}'s libvirt for the migration`],
    [/Requested operation is not valid: domain has assigned non-USB host devices|hostdev|vfio/i, `a guest with passthrough devices cannot be live-migrated`],
    [/cannot migrate domain: .*storage|non-shared storage|Unsafe migration/i, `the guest's disks are not on storage both hosts share`],
  ];
  for (const [re, text] of rules) if (re.test(message)) return `${text} — ${message}`.slice(0, 2000);
  return `live migration from ${from} to ${to} failed: ${message}`.slice(0, 2000);
}

export interface VirshOptions {
  uri: string;
  /** The virsh binary (default "virsh" on PATH). */
  virsh?: string;
  /** Per call (default 30 s). */
  timeoutMs?: number;
}

export class VirshHypervisor implements Hypervisor {
  private meta = new Map<string, HavenMeta | null>();
  private metaInflight = new Map<string, Promise<HavenMeta | null | "gone">>();
  /** Created by this driver lately: kept in the metadata cache although a listing did not show them yet. */
  private created = new Set<string>();
  readonly uri: string;
  private readonly bin: string;
  private readonly timeoutMs: number;

  constructor(opts: VirshOptions) {
    this.uri = opts.uri;
    this.bin = opts.virsh ?? "virsh";
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  virsh(args: string[]): Promise<string> {
    const full = ["-q", "-c", this.uri, ...args];
    return new Promise((resolve, reject) => {
      execFile(this.bin, full, { timeout: this.timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: "C" } }, (err, stdout, stderr) => {
        if (err) reject(new VirshError(args, String(stderr || err.message), (err as NodeJS.ErrnoException).code ?? null));
        else resolve(String(stdout));
      });
    });
  }

  async version(): Promise<string> {
    return (await this.virsh(["version"])).trim();
  }

  /** A domain's Haven metadata (null: not Haven's; "gone": it vanished). Concurrent asks share one virsh call. */
  private metadataOf(uuid: string): Promise<HavenMeta | null | "gone"> {
    let p = this.metaInflight.get(uuid);
    if (!p) {
      p = this.virsh(["metadata", uuid, "--uri", HAVEN_XMLNS]).then(
        (out) => parseMetadata(out),
        (e) => {
          const msg = (e as VirshError).stderr ?? "";
          // A domain without Haven metadata is someone else's; one that vanished meanwhile is gone.
          if (/metadata not found|No metadata|Requested metadata element is not present/i.test(msg)) return null;
          if (/Domain not found|failed to get domain/i.test(msg)) return "gone" as const;
          throw e;
        },
      );
      this.metaInflight.set(uuid, p);
      void p.finally(() => this.metaInflight.delete(uuid)).catch(() => {});
    }
    return p;
  }

  async listOwned(host: string): Promise<OwnedDomain[]> {
    const out = await this.virsh(["list", "--uuid", "--name"]);
    const rows: { uuid: string; name: string }[] = [];
    for (const line of out.split("\n")) {
      const m = /^\s*([0-9a-f-]{36})\s+(\S+)\s*$/i.exec(line);
      if (m) rows.push({ uuid: m[1], name: m[2] });
    }
    // New domains' metadata in parallel (several guests started at once: one round, not one each).
    const unknown = rows.filter((r) => !this.meta.has(r.uuid));
    const metas = await Promise.all(unknown.map((r) => this.metadataOf(r.uuid)));
    unknown.forEach((r, i) => {
      const m = metas[i];
      if (m !== "gone") this.meta.set(r.uuid, m);
    });
    const owned: OwnedDomain[] = [];
    for (const { uuid, name } of rows) {
      const meta = this.meta.get(uuid);
      if (meta && meta.host === host) owned.push({ uuid, name, meta });
    }
    const seen = new Set(rows.map((r) => r.uuid));
    for (const k of [...this.meta.keys()]) if (!seen.has(k) && !this.created.has(k)) this.meta.delete(k);
    return owned;
  }

  async create(xml: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-agent-"));
    const file = path.join(dir, "domain.xml");
    try {
      fs.writeFileSync(file, xml);
      await this.virsh(["create", file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Its metadata is the XML's: the next listing needs no `virsh metadata` for it.
    const uuid = /<uuid>([0-9a-f-]{36})<\/uuid>/i.exec(xml)?.[1];
    if (uuid) {
      this.meta.set(uuid, parseMetadata(xml));
      // A listing that started before the create must not drop it from the cache.
      this.created.add(uuid);
      setTimeout(() => this.created.delete(uuid), 60_000).unref();
    }
  }

  async dumpXml(uuid: string): Promise<string> {
    return this.virsh(["dumpxml", "--migratable", uuid]);
  }

  async migrate(uuid: string, destUri: string, xml: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-agent-"));
    const file = path.join(dir, "migrate.xml");
    try {
      fs.writeFileSync(file, xml);
      await this.virsh(["migrate", "--live", "--auto-converge", uuid, destUri, "--xml", file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    this.meta.delete(uuid);
  }

  async destroy(uuid: string): Promise<void> {
    try {
      await this.virsh(["destroy", uuid]);
    } catch (e) {
      if (/Domain not found|domain is not running|failed to get domain/i.test((e as VirshError).stderr ?? "")) return;
      throw e;
    }
  }

  async shutdown(uuid: string): Promise<void> {
    try {
      await this.virsh(["shutdown", uuid]);
    } catch (e) {
      if (/Domain not found|domain is not running|failed to get domain/i.test((e as VirshError).stderr ?? "")) return;
      throw e;
    }
  }

  watch(onEvent: (e: LifecycleEvent) => void, onError?: (err: Error) => void): () => void {
    let child: ChildProcess | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const startOne = () => {
      if (stopped) return;
      const c = spawn(this.bin, ["-c", this.uri, "event", "--loop", "--event", "lifecycle"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
      child = c;
      let stderr = "";
      c.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
      readline.createInterface({ input: c.stdout! }).on("line", (line) => {
        const e = parseLifecycleLine(line);
        if (e) onEvent(e);
      });
      c.on("error", (err) => onError?.(err));
      c.on("exit", (code) => {
        if (stopped) return;
        onError?.(new Error(`virsh event exited (${code})${stderr ? `: ${cleanVirshError(stderr)}` : ""}; restarting`));
        timer = setTimeout(startOne, 1000);
      });
    };
    startOne();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (child && child.exitCode === null) child.kill("SIGTERM");
    };
  }
}

/** "event 'lifecycle' for domain 'x': Stopped Failed" → {domain: "x", event: "Stopped", detail: "Failed"}. */
export function parseLifecycleLine(line: string): LifecycleEvent | null {
  const m = /event 'lifecycle' for domain '(.+)': (\S+)\s*(.*)$/.exec(line);
  return m ? { domain: m[1], event: m[2], detail: m[3].trim() } : null;
}
