// npm run db:reset [-- --large]: delete the SQLite store, apply every migration, seed.
import { databaseUrl } from "../lib/db-url";
import { deleteDatabase, migrate, seedIfEmpty } from "./lib/app-setup";

const url = databaseUrl();
deleteDatabase(url);
console.log(`deleted ${url}`);
const code = await migrate(url);
if (code !== 0) {
  console.error("prisma migrate deploy failed");
  process.exit(code);
}
await seedIfEmpty(url, { large: process.argv.includes("--large") });
