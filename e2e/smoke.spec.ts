import { expect, test } from "@playwright/test";

test("the console's home page responds and shows Haven", async ({ page }) => {
  const res = await page.goto("/");
  expect(res, "no response for /").not.toBeNull();
  expect(res!.status()).toBeLessThan(400);
  await expect(page.getByText("Haven", { exact: false }).first()).toBeVisible();
});

test("an unknown page answers 404", async ({ request }) => {
  const res = await request.get("/no-such-page-" + Date.now());
  expect(res.status()).toBe(404);
});
