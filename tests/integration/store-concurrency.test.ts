// Two processes on one SQLite store, as the console and the controller process are: a
// transaction that read before the other process committed must still be able to write.
// With a deferred BEGIN, SQLite answers that write SQLITE_BUSY at once (a stale WAL snapshot
// cannot be upgraded to a writer; the busy timeout does not apply) — seen in CI as "Something
// went wrong while saving" on a sign-in while the controller wrote heartbeats.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { createTestDb, type TestDb } from "../support/test-db";

const require_ = createRequire(import.meta.url).resolve;
const WRITER = `
const Database = require(${JSON.stringify(require_("better-sqlite3"))});
const db = new Database(process.argv[1], { timeout: 5000 });
db.prepare("INSERT INTO SignInThrottle (key, failures, lastAttemptAt) VALUES ('w', 0, 0)").run();
const bump = db.prepare("UPDATE SignInThrottle SET failures = failures + 1 WHERE key = 'w'");
process.stdout.write("ready\\n");
const tick = () => { bump.run(); setTimeout(tick, 1); };
tick();
`;

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.cleanup();
});

describe("transactions across two connections to one SQLite store", () => {
  it("read-then-write transactions succeed while another process writes to the store", async () => {
    await t.db.signInThrottle.create({ data: { key: "n", failures: 0, lastAttemptAt: new Date() } });
    // Another process (as the controller does with heartbeats): small write transactions, back to back.
    const writer = spawn(process.execPath, ["-e", WRITER, t.file], { stdio: ["ignore", "pipe", "inherit"] });
    const started = new Promise<void>((res) => writer.stdout!.once("data", () => res()));
    const done = new Promise<number | null>((res) => writer.once("exit", (code) => res(code)));
    await started;
    try {
      for (let i = 0; i < 40; i++) {
        await t.db.$transaction(async (tx) => {
          const r = await tx.signInThrottle.findUniqueOrThrow({ where: { key: "n" } });
          await new Promise((res) => setTimeout(res, 2));
          await tx.signInThrottle.update({ where: { key: "n" }, data: { failures: r.failures + 1 } });
        });
        await new Promise((res) => setTimeout(res, 3));
      }
    } finally {
      writer.kill();
    }
    await done;
    expect((await t.db.signInThrottle.findUniqueOrThrow({ where: { key: "n" } })).failures).toBe(40);
    expect((await t.db.signInThrottle.findUniqueOrThrow({ where: { key: "w" } })).failures).toBeGreaterThan(5);
  });
});
