import { expect, test } from "@playwright/test";
import { SIGNED_OUT } from "./fixtures/auth";

test("the console's home page responds and shows Haven", async ({ page }) => {
  const res = await page.goto("/");
  expect(res, "no response for /").not.toBeNull();
  expect(res!.status()).toBeLessThan(400);
  expect(new URL(page.url()).pathname).toBe("/");
  await expect(page.getByText("Haven", { exact: false }).first()).toBeVisible();
});

test("an unknown page answers 404", async ({ request }) => {
  const res = await request.get("/no-such-page-" + Date.now());
  expect(res.status()).toBe(404);
});

test.describe("signed out", () => {
  test.use({ storageState: SIGNED_OUT });

  test("the console sends you to sign in", async ({ page }) => {
    await page.goto("/hosts");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fhosts/);
    await expect(page.getByRole("form", { name: "Sign in" })).toBeVisible();
  });
});
