// Issue 14 (automation API, single sign-on) as a person does it, against the production build:
// an admin creates a personal API token (shown once), a script uses it on /api/v1, the admin
// revokes it; the API reference page renders the OpenAPI document with the bundled Scalar; a
// user signs in through a real OpenID Connect provider (oidc-provider, started here) and gets the
// role her IdP group gives; a user whose groups give no role is refused with the reason.
import { expect, test } from "@playwright/test";
import { SIGNED_OUT } from "./fixtures/auth";
import { startIdp, type TestIdp } from "../tests/support/oidc-idp";

test.describe("personal API tokens and the API reference", () => {
  test("create a token, use it from a script, revoke it", async ({ page, request }) => {
    await page.goto("/settings/api-tokens");
    await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
    const form = page.getByRole("form", { name: "New API token" });
    await expect(form).toHaveAttribute("data-ready", "true");
    await form.getByLabel("Name").fill("e2e-script");
    await form.getByLabel("Role").selectOption("viewer");
    await form.getByLabel("Expires after").selectOption("7");
    await form.getByRole("button", { name: "Create token" }).click();
    const shown = page.getByTestId("new-api-token");
    await expect(shown).toBeVisible();
    const token = (await shown.textContent())!.trim();
    expect(token).toMatch(/^haven_[A-Za-z]{48}$/);
    const row = page.getByRole("row").filter({ hasText: "e2e-script" });
    await expect(row).toContainText(token.slice(0, 12));
    await expect(row).not.toContainText(token);

    // A script: no cookies, the token as Bearer.
    const list = await request.get("/api/v1/hosts?format=json&size=25", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
    expect(list.status()).toBe(200);
    expect((await list.json()).total).toBeGreaterThan(0);
    const csv = await request.get("/api/v1/vms?format=csv", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
    expect(csv.headers()["content-type"]).toContain("text/csv");
    // A viewer token may not act.
    const refused = await request.post("/api/v1/alerts/whatever/resolve", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
    expect(refused.status()).toBe(403);

    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByRole("row").filter({ hasText: "e2e-script" })).toHaveCount(0);
    const after = await request.get("/api/v1/hosts", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
    expect(after.status()).toBe(401);
  });

  test("the API reference renders the served OpenAPI document without a CDN", async ({ page }) => {
    const outside: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.hostname !== "127.0.0.1" && u.protocol.startsWith("http")) outside.push(r.url());
    });
    const csp: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    await page.goto("/api-docs");
    const ref = page.getByTestId("api-reference");
    await expect(ref.getByText("Haven automation API").first()).toBeVisible({ timeout: 30_000 });
    await expect(ref.getByText("List hosts").first()).toBeVisible();
    await expect(ref.getByText("Enter maintenance").first()).toBeVisible();
    expect(outside).toEqual([]);
    expect(csp).toEqual([]);
  });
});

test.describe("single sign-on (OpenID Connect)", () => {
  test.use({ storageState: SIGNED_OUT });
  let idp: TestIdp;
  test.beforeAll(async () => {
    const port = Number(process.env.E2E_OIDC_PORT);
    const base = `http://127.0.0.1:${process.env.E2E_PORT || 3210}`;
    idp = await startIdp(base, port);
  });
  test.afterAll(async () => {
    await idp?.close();
  });

  async function signInAtIdp(page: import("@playwright/test").Page, login: string) {
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
    await page.waitForURL(/127\.0\.0\.1:\d+\/interaction\//);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill("any-password");
    await page.locator('button[type="submit"]').click();
    // First sign-in of this user: the IdP asks for consent.
    const consent = page.getByRole("button", { name: "Continue" });
    if (await consent.isVisible({ timeout: 5_000 }).catch(() => false)) await consent.click();
  }

  test("a member of the operator group signs in as an operator", async ({ page }) => {
    await signInAtIdp(page, "olga");
    await page.waitForURL((u) => u.pathname === "/", { timeout: 30_000 });
    await expect(page.getByTestId("signed-in-role")).toHaveText("operator");
    // An operator may not open the users page (admin only).
    await page.goto("/users");
    await expect(page).toHaveURL(/\/forbidden/);
  });

  test("a user whose groups give no role is refused with a clear page", async ({ page }) => {
    await signInAtIdp(page, "eve");
    await page.waitForURL(/\/sso\/refused/, { timeout: 30_000 });
    await expect(page.getByRole("heading", { name: "No Haven role for your account" })).toBeVisible();
    await expect(page.getByText(/contractors/)).toBeVisible();
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
  });
});
