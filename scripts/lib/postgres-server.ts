// A throwaway PostgreSQL server for tests and benches (Debian's postgresql package, no systemd):
// initdb into a temp dir owned by the postgres user (trust auth, no sync), then `pg_ctl -w start`
// on 127.0.0.1 and a free port with fsync off. `stop()` stops it and removes the directory.
// Run as root (the server drops to the postgres user) or as the postgres user itself.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** The directory of initdb/pg_ctl/postgres: PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], "bin") : null;
}

export function postgresAvailable(): boolean {
  return postgresBinDir() !== null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PostgresServer {
  port: number;
  dataDir: string;
  /** postgresql://postgres@127.0.0.1:<port>/<db> */
  url(db?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** pg_ctl stop -m immediate (like a crash: kill -9 of the server) when `immediate`, else fast. */
  stop(opts?: { immediate?: boolean; keepData?: boolean }): void;
  /** Starts the stopped server again on the same port and data. */
  start(): void;
  running(): boolean;
}

/** Runs `cmd` as the postgres user (through runuser when root). */
function asPostgres(cmd: string, args: string[], opts: { log?: string } = {}): void {
  const root = process.getuid?.() === 0;
  const [c, a] = root ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) {
    const log = opts.log && fs.existsSync(opts.log) ? fs.readFileSync(opts.log, "utf8").slice(-2000) : "";
    throw new Error(`${path.basename(cmd)} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr || r.stdout}${log ? `\n${log}` : ""}`);
  }
}

/**
 * `stopWithPid`: a detached watchdog stops the server and removes its directory once that process
 * is gone, however it ended (a test worker killed by its runner never runs its exit handlers).
 */
export async function startPostgres(opts: { port?: number; stopWithPid?: number } = {}): Promise<PostgresServer> {
  const binDir = postgresBinDir();
  if (!binDir) throw new Error("PostgreSQL is not installed (Debian package postgresql; set PG_BIN to its bin directory)");
  const port = opts.port ?? (await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-pg-"));
  const log = path.join(dataDir, "server.log");
  const pgdata = path.join(dataDir, "data");
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres:postgres", dataDir]);
  asPostgres(path.join(binDir, "initdb"), ["-D", pgdata, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
  let up = false;
  const start = () => {
    asPostgres(
      path.join(binDir, "pg_ctl"),
      ["-D", pgdata, "-l", log, "-w", "-t", "30", "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dataDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`, "start"],
      { log },
    );
    up = true;
  };
  start();
  if (opts.stopWithPid) {
    const pgCtl = path.join(binDir, "pg_ctl");
    const stopCmd = process.getuid?.() === 0 ? `runuser -u postgres -- ${pgCtl}` : pgCtl;
    const watchdog = spawn(
      "sh",
      ["-c", `while kill -0 ${opts.stopWithPid} 2>/dev/null; do sleep 1; done; ${stopCmd} -D '${pgdata}' -m immediate stop >/dev/null 2>&1; rm -rf '${dataDir}'`],
      { detached: true, stdio: "ignore" },
    );
    watchdog.unref();
  }
  const url = (db = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${db}`;
  return {
    port,
    dataDir,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: lower-case letters, digits and _ only`);
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    stop({ immediate = false, keepData = false } = {}) {
      if (up) {
        try {
          asPostgres(path.join(binDir, "pg_ctl"), ["-D", pgdata, "-w", "-m", immediate ? "immediate" : "fast", "stop"]);
        } catch (e) {
          if (!keepData) console.error(String(e));
        }
        up = false;
      }
      if (!keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    start,
    running: () => up,
  };
}
