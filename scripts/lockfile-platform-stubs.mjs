#!/usr/bin/env node
// Makes `npm ci` accept package-lock.json when the registry in use (a mirror without
// other platforms' binaries: it answers 404 for e.g. @next/swc-darwin-arm64) left the
// optional platform packages of next / tailwind / unrs-resolver out of the lockfile.
// `npm ci` refuses such a lockfile ("Missing: @next/swc-darwin-arm64@ from lock file").
// This adds a lock entry (version, os/cpu/libc, optional) for each missing optional
// dependency, so npm ci validates; on this platform npm skips them (os/cpu mismatch).
// Usage: node scripts/lockfile-platform-stubs.mjs   (after any `npm install <pkg>`)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const lockPath = path.join(root, "package-lock.json");
const r = spawnSync("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: root, encoding: "utf8" });
const missing = [...(r.stdout + r.stderr).matchAll(/Missing: (\S+?)@(\S*) from lock file/g)].map((m) => m[1]);
if (missing.length === 0) {
  console.log(r.status === 0 ? "npm ci accepts the lockfile: nothing to do" : (r.stderr || r.stdout).trim());
  process.exit(r.status === 0 ? 0 : 1);
}

function platformOf(name) {
  const tail = name.split("/").pop();
  const out = {};
  const os = ["android", "darwin", "freebsd", "linux", "openharmony", "win32", "sunos", "netbsd", "openbsd", "aix"].find((o) => tail.includes(`-${o}-`));
  if (os) out.os = [os];
  const cpu = ["arm64", "x64", "ia32", "loong64", "ppc64", "riscv64", "s390x", "wasm32", "arm"].find((c) => new RegExp(`-${c}(-|$)`).test(tail));
  if (cpu) out.cpu = [cpu];
  if (os === "linux") out.libc = [/musl/.test(tail) ? "musl" : "glibc"];
  return out;
}

const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
let added = 0;
for (const name of missing) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const parent = Object.values(lock.packages).find((p) => p.optionalDependencies?.[name]);
  if (!parent) {
    console.error(`${name}: no package in the lockfile lists it as an optional dependency; not touched`);
    continue;
  }
  const version = parent.optionalDependencies[name];
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
    console.error(`${name}: wanted as "${version}", not an exact version; not touched`);
    continue;
  }
  lock.packages[key] = { version, ...platformOf(name), ...(parent.dev ? { dev: true } : {}), optional: true };
  added++;
}
// npm writes the entries sorted with localeCompare("en"); keep that order.
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b, "en")));
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`added ${added} optional platform entries to package-lock.json`);
