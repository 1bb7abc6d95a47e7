// Prepares the store of the real-agent story (tests/support/agent-story.ts) in its own process,
// since it needs the server modules (react-server condition):
//   node --import tsx --conditions=react-server tests/support/agent-story-store.ts <db file> <spec.json> [--issue-tokens]
// Migrates a new SQLite file (prisma migrate deploy), imports the cluster spec (not the demo seed: no demo mode), and with
// --issue-tokens issues an agent token per host as an admin would (for a console without the
// admin API). Prints {hostIds, vmIds, tokens?} as JSON on stdout.
import fs from "node:fs";
import { createDb } from "@/lib/server/db";
import { importCluster } from "@/lib/server/cluster-import";
import { issueAgentToken } from "@/lib/server/agent/tokens";
import { migrate } from "../../scripts/lib/app-setup";

const [file, specFile, ...flags] = process.argv.slice(2);
if (!file || !specFile) {
  process.stderr.write("usage: agent-story-store.ts <db file> <spec.json> [--issue-tokens]\n");
  process.exit(2);
}
// `prisma migrate deploy`, as npm start does (scripts/start.ts then finds the store migrated and
// not empty: it neither migrates nor seeds the demo).
const code = await migrate(`file:${file}`);
if (code !== 0) {
  process.stderr.write(`prisma migrate deploy failed (${code})\n`);
  process.exit(1);
}
const db = createDb(`file:${file}`);
try {
  const spec = JSON.parse(fs.readFileSync(specFile, "utf8"));
  const r = await importCluster(db, spec, { name: "agent-story" });
  const out: { hostIds: Record<string, string>; vmIds: Record<string, string>; tokens?: Record<string, string> } = { hostIds: r.hostIds, vmIds: r.vmIds };
  if (flags.includes("--issue-tokens")) {
    out.tokens = {};
    for (const name of Object.keys(r.hostIds)) out.tokens[name] = (await issueAgentToken(db, name)).token;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
} finally {
  await db.$disconnect();
}
