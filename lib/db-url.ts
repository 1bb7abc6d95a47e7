import path from "node:path";

/**
 * The store's location. `DATABASE_URL` wins (`file:/abs/path.db`); the default is the
 * embedded SQLite file `data/haven.db` under the project root.
 */
export function databaseUrl(): string {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv && fromEnv.trim()) return fromEnv.trim();
  return "file:" + path.join(process.cwd(), "data", "haven.db");
}

/** The filesystem path of a `file:` URL. */
export function databaseFile(url = databaseUrl()): string {
  return url.replace(/^file:/, "");
}
