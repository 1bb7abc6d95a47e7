import { test as setup } from "@playwright/test";
import { ADMIN_STATE, signIn } from "./fixtures/auth";

setup("sign in as the e2e admin", async ({ page }) => {
  await signIn(page);
  await page.context().storageState({ path: ADMIN_STATE });
});
