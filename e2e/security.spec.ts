// Security flows: sign-in and sign-out, first-run setup on an empty store, a viewer who sees no
// admin controls and is refused when forcing an admin action, an operator who acknowledges an
// alert but cannot edit inventory.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, SIGNED_OUT } from "./fixtures/auth";
import { SetupPage, SignInPage } from "./pages/sign-in-page";
import { UsersPage } from "./pages/users-page";

const ROOT = path.resolve(import.meta.dirname, "..");

test.describe("sign-in and sign-out", () => {
  test.use({ storageState: SIGNED_OUT });

  test("a wrong password is refused; the right one lands where you were going; signing out ends the session", async ({ page, context }) => {
    await page.goto("/hosts");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fhosts/);
    const signIn = new SignInPage(page);
    await signIn.submit(ADMIN_EMAIL, "not-the-password-1");
    await expect(signIn.form().getByRole("alert")).toContainText("Wrong email or password");
    await signIn.submit(ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(/\/hosts$/);
    await expect(page.getByRole("heading", { level: 1, name: "Hosts" })).toBeVisible();
    await expect(page.getByTestId("signed-in-role")).toHaveText("admin");

    const session = (await context.cookies()).find((c) => /haven\.session_token$/.test(c.name));
    expect(session, "session cookie").toBeTruthy();
    expect(session!.httpOnly).toBe(true);
    expect(session!.sameSite).toBe("Lax");

    // The page carries the nonce CSP and the framing/referrer headers.
    const res = await page.request.get("/hosts");
    expect(res.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'.*frame-ancestors 'none'/);
    expect(res.headers()["x-frame-options"]).toBe("DENY");
    expect(res.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");

    await signIn.signOut();
    await page.goto("/vms");
    await expect(page).toHaveURL(/\/sign-in/);
    const api = await page.request.post("/api/v1/agent-tokens", { data: { limit: 1 } });
    expect(api.status()).toBe(401);
    expect(api.headers()["content-type"]).toBe("application/problem+json");
  });
});

// ------------------------------------------------------------------ first-run setup

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

test.describe("first-run setup", () => {
  test.use({ storageState: SIGNED_OUT });
  let server: ChildProcess | null = null;
  let base = "";
  let stderr = "";
  const dbFile = path.join(ROOT, "data", `e2e-setup-${process.pid}.db`);

  test.beforeAll(async () => {
    // A second console on the same build, with an empty migrated store and no HAVEN_ADMIN_*.
    for (const f of [dbFile, `${dbFile}.auth-secret`]) fs.rmSync(f, { force: true });
    const db = new Database(dbFile);
    const dir = path.join(ROOT, "prisma", "migrations");
    for (const m of fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, "migration.sql"))).sort()) db.exec(fs.readFileSync(path.join(dir, m, "migration.sql"), "utf8"));
    db.close();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${dbFile}`, NEXT_DIST_DIR: process.env.E2E_DIST_DIR || ".next-test", NODE_ENV: "production", HAVEN_CONTROLLER: "0", HAVEN_DEMO: "0", PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" };
    delete env.HAVEN_ADMIN_EMAIL;
    delete env.HAVEN_ADMIN_PASSWORD;
    server = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    server.stderr!.on("data", (d) => (stderr += String(d)));
    await waitForPort(port, 60_000);
  });

  test.afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server!.once("exit", r));
    }
    for (const f of [dbFile, `${dbFile}-journal`, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}.auth-secret`]) fs.rmSync(f, { force: true });
  });

  test("an empty store sends everyone to /setup once; the first admin is created and signed in; then setup is closed", async ({ page, browser }) => {
    await page.goto(`${base}/`);
    await expect(page).toHaveURL(/\/setup$/);
    expect(stderr).toMatch(/no users yet — open .*\/setup/);
    const setup = new SetupPage(page);
    await setup.createAdmin("First Admin", "first@haven.test", "too-short");
    await expect(setup.form().getByRole("alert")).toContainText("Check the highlighted fields");
    await expect(setup.form().getByText(/at least 12 characters/)).toBeVisible();
    await setup.createAdmin("First Admin", "first@haven.test", "first-admin-password");
    await page.waitForURL(`${base}/`);
    await expect(page.getByTestId("signed-in-role")).toHaveText("admin");

    const other = await browser.newContext({ storageState: SIGNED_OUT });
    const p2 = await other.newPage();
    await p2.goto(`${base}/setup`);
    await expect(p2).toHaveURL(/\/sign-in$/);
    await new SignInPage(p2).submit("first@haven.test", "first-admin-password");
    await p2.waitForURL(`${base}/`);
    await other.close();
  });
});

// ------------------------------------------------------------------ roles

const stamp = Date.now().toString(36);
const viewer = { email: `viewer-${stamp}@haven.test`, name: "Vera Viewer", password: "viewer-password-1", role: "viewer" as const };
const operator = { email: `operator-${stamp}@haven.test`, name: "Otto Operator", password: "operator-password-1", role: "operator" as const };

async function signedInAs(browser: Browser, user: { email: string; password: string }): Promise<Page> {
  const ctx = await browser.newContext({ storageState: SIGNED_OUT });
  const page = await ctx.newPage();
  await new SignInPage(page).signIn(user.email, user.password);
  return page;
}

async function firstHostId(page: Page): Promise<{ id: string; name: string }> {
  await page.goto("/hosts");
  const link = page.locator('table a[href^="/hosts/"]').first();
  const href = (await link.getAttribute("href"))!;
  return { id: href.split("/").pop()!, name: (await link.innerText()).trim() };
}

test.describe.serial("roles", () => {
  test("an admin creates a viewer and an operator on /users", async ({ page }) => {
    const users = new UsersPage(page);
    await users.open();
    await users.create(viewer);
    await users.create(operator);
  });

  test("a viewer sees no admin controls and is refused when forcing an admin action", async ({ browser, baseURL }) => {
    const page = await signedInAs(browser, viewer);
    await expect(page.getByTestId("signed-in-role")).toHaveText("viewer");
    await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);

    const host = await firstHostId(page);
    await expect(page.getByRole("heading", { level: 1, name: "Hosts" })).toBeVisible();
    await expect(page.getByRole("link", { name: "New host" })).toHaveCount(0);
    await page.goto(`/hosts/${host.id}`);
    await expect(page.getByRole("heading", { level: 1, name: host.name })).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Agent token" })).toHaveCount(0);

    await page.goto("/alerts");
    await expect(page.getByRole("table", { name: "Alerts" })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Acknowledge/ })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Resolve/ })).toHaveCount(0);

    // A placement group's name opens its read-only page, not the admin-only edit form.
    await page.goto("/placement-groups");
    const group = page.getByRole("table", { name: "Placement groups" }).locator("tbody tr td:first-child a").first();
    const groupName = (await group.innerText()).trim();
    await group.click();
    await expect(page.getByRole("heading", { level: 1, name: groupName })).toBeVisible();
    await expect(page).toHaveURL(/\/placement-groups\/[^/]+$/);
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);

    for (const p of ["/hosts/new", `/hosts/${host.id}/edit`, `/hosts/${host.id}/agent`, "/users", "/audit"]) {
      await page.goto(p);
      await expect(page, p).toHaveURL(/\/forbidden$/);
    }

    // Forcing it: the admin API with the viewer's own session cookie.
    const res = await page.request.post(`/api/v1/hosts/${host.id}/agent-token`, { headers: { origin: baseURL! } });
    expect(res.status()).toBe(403);
    expect(res.headers()["content-type"]).toBe("application/problem+json");
    await page.context().close();
  });

  test("an operator acknowledges an alert but cannot edit inventory", async ({ browser, baseURL }) => {
    const page = await signedInAs(browser, operator);
    await expect(page.getByTestId("signed-in-role")).toHaveText("operator");

    await page.goto("/alerts?status=open");
    const ack = page.getByRole("button", { name: /^Acknowledge \S+ on / }).first();
    await expect(ack).toBeEnabled();
    await ack.click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(/Note/).fill("operator e2e: looking into it");
    await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
    await expect(dialog).toBeHidden();
    await page.goto("/alerts?status=acknowledged");
    await expect(page.getByText(`by ${operator.email}`).first()).toBeVisible();

    const host = await firstHostId(page);
    await expect(page.getByRole("link", { name: "New host" })).toHaveCount(0);
    await page.goto(`/hosts/${host.id}/edit`);
    await expect(page).toHaveURL(/\/forbidden$/);
    const res = await page.request.post(`/api/v1/hosts/${host.id}/agent-token`, { headers: { origin: baseURL! } });
    expect(res.status()).toBe(403);
    await page.context().close();
  });

  test("the admin sees both changes in the audit log, filtered by actor", async ({ page }) => {
    await page.goto(`/audit?actor=${encodeURIComponent(operator.email)}`);
    const table = page.getByRole("table", { name: "Audit log" });
    await expect(table.getByRole("cell", { name: "acknowledge-alert" }).first()).toBeVisible();
    await page.goto(`/audit?action=create-user`);
    await expect(page.getByRole("table", { name: "Audit log" }).getByText(viewer.email).first()).toBeVisible();
  });
});
