import path from "node:path";

/**
 * The store's location. `DATABASE_URL` wins (`file:/abs/path.db`, or `postgresql://user@host:port/db`
 * for PostgreSQL); the default is the embedded SQLite file `data/haven.db` under the project root.
 */
export function databaseUrl(): string {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv && fromEnv.trim()) return fromEnv.trim();
  return "file:" + path.join(process.cwd(), "data", "haven.db");
}

/** Whether the URL names a PostgreSQL store (postgres:// or postgresql://). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * The filesystem path of a `file:` URL. For a PostgreSQL URL, a path under data/ named after the
 * server and database (files kept beside the store, like the auth secret, go there; several
 * instances on different machines set HAVEN_AUTH_SECRET instead).
 */
export function databaseFile(url = databaseUrl()): string {
  if (isPostgresUrl(url)) {
    let name = "postgres";
    try {
      const u = new URL(url);
      name = `postgres-${u.hostname}-${u.port || "5432"}-${u.pathname.replace(/^\//, "") || "postgres"}`;
    } catch {
      /* keep the generic name */
    }
    return path.join(process.cwd(), "data", name.replace(/[^A-Za-z0-9._-]/g, "_"));
  }
  return url.replace(/^file:/, "");
}
