// What the red team broke, against the production server: sign-in's `next=` leading off-site,
// 500s for a malformed path and a cross-origin server action, a 200 for an over-limit one, and
// sign-in limits that trusted X-Forwarded-For from anyone (a second console here trusts a proxy
// at 127.0.0.1 via HAVEN_TRUSTED_PROXIES to show the other side).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, SIGNED_OUT } from "./fixtures/auth";
import { SignInPage } from "./pages/sign-in-page";

const ROOT = path.resolve(import.meta.dirname, "..");

async function expectProblem(res: APIResponse, status: number, detail: RegExp) {
  expect(res.status()).toBe(status);
  expect(res.headers()["content-type"]).toBe("application/problem+json");
  expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
}

/** Submits the sign-in form and answers the server action's id and the banner it shows. */
async function submitSignIn(page: Page, email: string, password: string): Promise<{ actionId: string; banner: string | null }> {
  const signIn = new SignInPage(page);
  const [req] = await Promise.all([page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]), signIn.submit(email, password)]);
  await req.response();
  // The answer is on screen once the button is back from "Signing in…".
  await expect(signIn.form().getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();
  const alert = signIn.form().getByRole("alert");
  const banner = (await alert.count()) ? await alert.innerText() : null;
  return { actionId: req.headers()["next-action"], banner };
}

/** Submits wrong passwords until `n` answers came back; each banner in order. */
async function wrongSignIns(page: Page, email: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { banner } = await submitSignIn(page, email, `wrong-password-${i}-x`);
    out.push(banner ?? "");
  }
  return out;
}

/**
 * Three wrong passwords are answered as such; then the account+client waits 1 s, then 2 s: of
 * the next two quick tries at least one is refused (the old per-email limit allowed five).
 */
function expectDelayedFromFourth(banners: string[]): void {
  expect(banners.slice(0, 3)).toEqual(Array(3).fill(expect.stringContaining("Wrong email or password")));
  expect(banners.slice(3).filter((b) => /Too many failed sign-ins\. Try again in \d+ s\./.test(b)).length, banners.join(" | ")).toBeGreaterThan(0);
}

test.describe("hardening", () => {
  test.use({ storageState: SIGNED_OUT });

  test("sign-in never follows next= to another site (/%09/127.0.0.1:9/evil lands on /)", async ({ page, baseURL }) => {
    await page.goto("/sign-in?next=/%09/127.0.0.1:9/evil");
    await expect(page.locator('input[name="next"]')).toHaveCount(0);
    await new SignInPage(page).submit(ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
    const at = new URL(page.url());
    expect(at.origin).toBe(new URL(baseURL!).origin);
    expect(at.pathname).toBe("/");
    await expect(page.getByTestId("signed-in-role")).toHaveText("admin");
    // A console path still works.
    await page.context().clearCookies();
    await page.goto("/sign-in?next=%2Fhosts%3Fstate%3Dfailed");
    await new SignInPage(page).submit(ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(/\/hosts\?state=failed$/);
  });

  test("a malformed percent-encoding in a path is a 400 problem+json, not a 500", async ({ request }) => {
    await expectProblem(await request.post("/api/agent/v1/commands/%ZZ/ack", { data: {} }), 400, /not valid percent-encoding/);
    await expectProblem(await request.get("/api/v1/hosts/%E0%A4%A/agent-token"), 400, /not valid percent-encoding/);
    await expectProblem(await request.get("/hosts/%ZZ"), 400, /not valid percent-encoding/);
  });

  test("a server action from another origin is a 403 (also with a forged X-Forwarded-Host); over 256 KB a 413", async ({ page, baseURL }) => {
    await page.goto("/sign-in");
    const { actionId } = await submitSignIn(page, `probe-${Date.now()}@haven.test`, "not-the-password-1");
    expect(actionId).toMatch(/^[0-9a-f]{20,}$/);
    const body = JSON.stringify([null, { email: "x@haven.test", password: "y" }]);
    const post = (headers: Record<string, string>, data = body) => page.request.post("/sign-in", { headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", ...headers }, data });
    await expectProblem(await post({ origin: "https://evil.example" }), 403, /Cross|own pages/);
    await expectProblem(await post({ origin: "https://evil.example", "x-forwarded-host": "evil.example" }), 403, /own pages/);
    await expectProblem(await post({ origin: baseURL! }, "x".repeat(300 * 1024)), 413, /at most 262144/);
    // The same action from the console's own origin is answered by Next as usual.
    expect((await post({ origin: baseURL! })).status()).toBe(200);
  });

  test("X-Forwarded-For from a peer that is not a trusted proxy buys no new tries", async ({ page }) => {
    const email = `spoof-${Date.now()}@haven.test`;
    await page.goto("/sign-in");
    const banners: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.setExtraHTTPHeaders({ "x-forwarded-for": `10.77.${i}.1`, "x-real-ip": `10.78.${i}.1` });
      banners.push(...(await wrongSignIns(page, email, 1)));
    }
    expectDelayedFromFourth(banners);
  });
});

// ------------------------------------------------------------------ behind a trusted proxy

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1", () => (c.end(), resolve(true)));
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`port ${port} did not open`);
}

test.describe("behind a trusted proxy (HAVEN_TRUSTED_PROXIES=127.0.0.1)", () => {
  test.use({ storageState: SIGNED_OUT });
  let server: ChildProcess | null = null;
  let base = "";
  const dbFile = path.join(ROOT, "data", `e2e-proxy-${process.pid}.db`);
  const admin = { email: "proxied-admin@haven.test", password: "proxied-admin-password" };

  test.beforeAll(async () => {
    for (const f of [dbFile, `${dbFile}.auth-secret`]) fs.rmSync(f, { force: true });
    const db = new Database(dbFile);
    const dir = path.join(ROOT, "prisma", "migrations");
    for (const m of fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, "migration.sql"))).sort()) db.exec(fs.readFileSync(path.join(dir, m, "migration.sql"), "utf8"));
    db.close();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: `file:${dbFile}`,
      NEXT_DIST_DIR: process.env.E2E_DIST_DIR || ".next-test",
      NODE_ENV: "production",
      HAVEN_CONTROLLER: "0",
      HAVEN_DEMO: "0",
      HAVEN_TRUSTED_PROXIES: "127.0.0.1",
      HAVEN_ADMIN_EMAIL: admin.email,
      HAVEN_ADMIN_PASSWORD: admin.password,
      PORT: String(port),
      NEXT_TELEMETRY_DISABLED: "1",
    };
    server = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "ignore"] });
    await waitForPort(port, 60_000);
  });

  test.afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server!.once("exit", r));
    }
    for (const f of [dbFile, `${dbFile}-journal`, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}.auth-secret`]) fs.rmSync(f, { force: true });
  });

  test("wrong passwords from one client slow that client only: the admin signs in from another", async ({ page }) => {
    await page.goto(`${base}/sign-in`);
    await page.setExtraHTTPHeaders({ "x-forwarded-for": "203.0.113.9" });
    expectDelayedFromFourth(await wrongSignIns(page, admin.email, 5));
    // Same account, another client behind the proxy: not delayed at all.
    await page.setExtraHTTPHeaders({ "x-forwarded-for": "198.51.100.20" });
    await new SignInPage(page).submit(admin.email, admin.password);
    await page.waitForURL(`${base}/`);
    await expect(page.getByTestId("signed-in-role")).toHaveText("admin");
  });

  test("the proxy's X-Forwarded-Host is the console's host for the server-action origin check", async ({ page }) => {
    await page.goto(`${base}/sign-in`);
    const { actionId } = await submitSignIn(page, `probe-${Date.now()}@haven.test`, "not-the-password-1");
    const post = (headers: Record<string, string>) =>
      page.request.post(`${base}/sign-in`, { headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", ...headers }, data: JSON.stringify([null, { email: "x@haven.test", password: "y" }]) });
    expect((await post({ origin: "https://haven.example.org", "x-forwarded-host": "haven.example.org" })).status()).toBe(200);
    await expectProblem(await post({ origin: "https://evil.example", "x-forwarded-host": "haven.example.org" }), 403, /haven\.example\.org/);
  });
});
