// Notifications survive a console restart (issue 14): the real HA controller process
// (lib/server/control/main.ts, as the console forks it) raises an alert whose webhook cannot be
// delivered yet (nothing listens); the process is SIGKILLed between the alert and the delivery;
// once the receiver listens and the process is started again, the notification arrives exactly
// once, signed, with its outbox row's id as webhook-id.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { createChannel } from "@/lib/server/notify/channels";
import { createTestDb, type TestDb } from "../support/test-db";
import { startWebhookReceiver, type WebhookReceiver } from "../support/notify-receivers";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "lib/server/control/main.ts");

let t: TestDb | null = null;
let child: ChildProcess | null = null;
let rec: WebhookReceiver | null = null;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = null;
  await rec?.close();
  rec = null;
  await t?.cleanup();
  t = null;
});

function startControllerProcess(url: string): Promise<ChildProcess> {
  const c = fork(MAIN, [], {
    cwd: ROOT,
    execArgv: ["--import", "tsx", "--conditions=react-server"],
    serialization: "advanced",
    env: { ...process.env, DATABASE_URL: url, HAVEN_CONTROL_CHILD: "1", HAVEN_DEMO: "0", HAVEN_AGENT_PORT: "", HAVEN_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    c.stderr?.on("data", (d) => (err += d));
    const timer = setTimeout(() => reject(new Error(`the controller process did not get ready:\n${err}`)), 60_000);
    c.on("message", (m: { type?: string }) => {
      if (m?.type === "ready") {
        clearTimeout(timer);
        resolve(c);
      }
    });
    c.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the controller process exited (${code}):\n${err}`));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("a console killed between the alert and its delivery", () => {
  it("delivers the notification exactly once after the restart", async () => {
    t = await createTestDb();
    const db = t.db;
    // One host that no agent drives: the controller finds it silent and raises HOST_UNREACHABLE.
    await importCluster(db, { hosts: [{ name: "lonely", cpus: 8, memoryGiB: 32 }] }, { now: new Date() });
    // The receiver's port, with nothing listening on it yet.
    const probe = await startWebhookReceiver();
    const port = probe.port;
    await probe.close();
    const ch = await createChannel({ name: "ops hook", type: "webhook", url: `http://127.0.0.1:${port}/hook`, kinds: "HOST_UNREACHABLE" }, { db });

    child = await startControllerProcess(t.url);
    // The alert is committed with its outbox row, and the sender has already tried (and failed) once.
    const row = await until("a failed first delivery attempt", async () => {
      const r = await db.notification.findFirst({ where: { channelId: ch.id, event: "raised" } });
      return r && r.attempts >= 1 && r.status === "pending" && r.lastError ? r : null;
    });
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    const alert = await db.alert.findUniqueOrThrow({ where: { id: row.alertId! } });
    expect(alert).toMatchObject({ kind: "HOST_UNREACHABLE", entityName: "lonely" });

    const dead = child;
    const exited = new Promise((r) => dead.once("exit", r));
    dead.kill("SIGKILL");
    await exited;
    expect((await db.notification.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("pending");

    rec = await startWebhookReceiver({ port, secret: ch.secret });
    child = await startControllerProcess(t.url);
    await until("the delivery", async () => (await db.notification.findUniqueOrThrow({ where: { id: row.id } })).status === "sent", 45_000);
    // A little longer: nothing else arrives.
    await new Promise((r) => setTimeout(r, 2500));
    expect(rec.requests).toHaveLength(1);
    expect(rec.requests[0]).toMatchObject({ id: row.id, verified: true });
    expect((rec.requests[0].json as { data: { alert: { id: string } } }).data.alert.id).toBe(alert.id);
    expect(await db.notification.count({ where: { channelId: ch.id, event: "raised" } })).toBe(1);
  }, 150_000);
});
