// A real libvirtd for the agent's tests, on a machine without systemd (a CI container): when
// `virsh -c qemu:///system version` does not answer, start `virtlogd -d`, then
// `setsid tini -s -- libvirtd` (a detached spawn: its own session; tini reaps the QEMU processes: a destroy takes ~0.25 s instead of
// ~2 s), after `chgrp kvm /dev/kvm; chmod 660 /dev/kvm` when /dev/kvm exists (libvirt then stops
// re-probing it: calls take ~60 ms instead of seconds). Waits for virsh to answer. `stop()` stops
// only what this module started; a libvirtd that was already running is left alone.
// Needs root (the tests that use it are run as root in CI; `npm test` installs the packages).
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const SYSTEM_URI = "qemu:///system";

export interface LibvirtdHandle {
  uri: string;
  /** True when this module started libvirtd (and will stop it). */
  started: boolean;
  /** /dev/kvm present: guests run under KVM; else TCG. */
  kvm: boolean;
  log: string | null;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, env: { ...process.env, LC_ALL: "C" } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) || 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

export async function libvirtdAnswers(uri = SYSTEM_URI): Promise<boolean> {
  return (await run("virsh", ["-c", uri, "version"], 5000)).code === 0;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, "utf8").trim());
    return n > 0 && pidAlive(n) ? n : null;
  } catch {
    return null;
  }
}

async function waitFor(fn: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return fn();
}

/** libvirtd answering on qemu:///system: the one running, or one started here. */
export async function ensureLibvirtd(opts: { timeoutMs?: number } = {}): Promise<LibvirtdHandle> {
  const kvm = fs.existsSync("/dev/kvm");
  if (await libvirtdAnswers()) return { uri: SYSTEM_URI, started: false, kvm, log: null, stop: async () => {} };
  if (process.getuid?.() !== 0) throw new Error("libvirtd is not running and only root can start it (run the agent tests as root, or start libvirtd)");
  for (const bin of ["/usr/sbin/libvirtd", "/usr/sbin/virtlogd", "/usr/bin/tini", "/usr/bin/virsh"])
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: apt-get install libvirt-daemon-system libvirt-clients qemu-system-x86 tini`);
  if (kvm) {
    await run("chgrp", ["kvm", "/dev/kvm"]);
    await run("chmod", ["660", "/dev/kvm"]);
  }
  let virtlogdPid: number | null = null;
  if (!readPid("/run/virtlogd.pid")) {
    const r = await run("/usr/sbin/virtlogd", ["-d"]);
    if (r.code !== 0) throw new Error(`virtlogd -d failed: ${r.stderr.trim()}`);
    await waitFor(() => readPid("/run/virtlogd.pid") !== null, 5000);
    virtlogdPid = readPid("/run/virtlogd.pid");
  }
  // A stale pid file of a libvirtd that died would stop the new one.
  if (!readPid("/run/libvirtd.pid")) fs.rmSync("/run/libvirtd.pid", { force: true });
  const log = path.join(os.tmpdir(), `haven-libvirtd-${process.pid}.log`);
  const out = fs.openSync(log, "a");
  // detached: a session of its own (what `setsid` does; the setsid command would fork here).
  const child = spawn("/usr/bin/tini", ["-s", "--", "/usr/sbin/libvirtd"], { detached: true, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  child.unref();
  const ok = await waitFor(() => libvirtdAnswers(), opts.timeoutMs ?? 30_000);
  if (!ok) {
    if (child.pid) process.kill(child.pid, "SIGTERM");
    throw new Error(`libvirtd did not answer on ${SYSTEM_URI} within ${(opts.timeoutMs ?? 30_000) / 1000} s; its log: ${log}\n${fs.readFileSync(log, "utf8").slice(-2000)}`);
  }
  const tiniPid = child.pid!;
  return {
    uri: SYSTEM_URI,
    started: true,
    kvm,
    log,
    stop: async () => {
      // tini forwards SIGTERM to libvirtd; QEMU guests keep running only if someone left them.
      if (pidAlive(tiniPid)) process.kill(tiniPid, "SIGTERM");
      await waitFor(() => !pidAlive(tiniPid), 10_000);
      if (virtlogdPid && pidAlive(virtlogdPid)) process.kill(virtlogdPid, "SIGTERM");
    },
  };
}

/** Active domains (name → state) as `virsh list` shows them, straight from libvirt. */
export async function virshList(uri = SYSTEM_URI): Promise<string[]> {
  const r = await run("virsh", ["-q", "-c", uri, "list", "--name"]);
  if (r.code !== 0) throw new Error(`virsh list failed: ${r.stderr.trim()}`);
  return r.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
}

/** Destroys every active domain whose name starts with `prefix` (test cleanup). */
export async function destroyDomains(prefix: string, uri = SYSTEM_URI): Promise<void> {
  for (const name of await virshList(uri)) if (name.startsWith(prefix)) await run("virsh", ["-c", uri, "destroy", name]);
}
