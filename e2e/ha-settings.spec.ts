// Story: an admin considers Guarantee mode with FT2 and sees its consequence before saving —
// how many failures the cluster would tolerate, the VMs left without a reserve, refused
// power-ons — and an unsafe timing is refused next to its field. Saving applies at once.
import { expect, test } from "@playwright/test";
import { HaSettingsPage } from "./pages/dashboard";

test("changing to Guarantee mode with FT2 shows the consequence before saving", async ({ page }) => {
  const s = new HaSettingsPage(page);
  await s.open();
  await expect(s.preview()).toContainText("What the saved settings mean now");
  await expect(s.headlines().first()).toContainText("Default mode with FT1 tolerates 0 of 1 required host failure");

  await s.choose("Guarantee");
  await s.choose("FT2");
  await expect(s.preview()).toContainText("Consequence before saving");
  await expect(s.headlines().first()).toHaveText("Guarantee mode with FT2 tolerates 1 of 2 required host failures");
  // VMs only one host could ever run (a named GPU, a GPU model on one host) are not protected:
  // listed with their reason and not counted against the guarantee (no "without a reserve" for them).
  await expect(s.headlines().filter({ hasText: "left out of the guarantee" })).toContainText(/VMs are not protected — only one host could ever run them.*render-02.*video-enc-01/);
  await expect(s.headlines().filter({ hasText: "without a reserve" })).toContainText(/Guarantee mode with FT2 would leave these \d+ VMs without a reserve: cad-ws-01/);
  await expect(s.headlines().filter({ hasText: "without a reserve" })).not.toContainText("video-enc-01");
  await expect(s.headlines().filter({ hasText: "refuse every power-on" })).toHaveCount(1);
  await s.preview().getByTestId("ha-preview-not-protected").locator("summary").click();
  await expect(s.preview().getByTestId("ha-preview-not-protected").getByRole("listitem").filter({ hasText: "render-02" })).toContainText("asks for GPU kvm-a01-gpu1 by name");
  await s.preview().getByTestId("ha-preview-without-reserve").locator("summary").click();
  await expect(s.preview().getByTestId("ha-preview-without-reserve").getByRole("link", { name: "vdi-01" })).toBeVisible();
  await expect(s.preview().getByTestId("ha-preview-without-reserve").getByRole("link", { name: "render-02" })).toHaveCount(0);

  // Nothing was saved: the dashboard still shows Default mode.
  await page.goto("/");
  await expect(page.getByTestId("ha-card")).toContainText("Default mode · FT1");
});

test("an isolation timeout that is not below the detection time is refused next to its field; a safe change saves", async ({ page }) => {
  const s = new HaSettingsPage(page);
  await s.open();
  const isolation = s.form().getByLabel("Isolation timeout");
  const boot = s.form().getByLabel("VM boot");
  const save = s.form().getByRole("button", { name: "Save HA settings" });
  const oldBoot = await boot.inputValue();

  await isolation.fill("999");
  await expect(isolation).toHaveAttribute("aria-invalid", "true");
  await expect(s.form().getByText(/Must be less than missed heartbeats × heartbeat \+ failure timeout/)).toBeVisible();
  await expect(save).toBeDisabled();
  await s.form().getByRole("button", { name: "Reset" }).click();
  await expect(isolation).not.toHaveAttribute("aria-invalid", "true");

  await boot.fill(String(Number(oldBoot) + 1));
  await expect(s.headlines().filter({ hasText: "Expected recovery after a power loss" })).toBeVisible();
  await save.click();
  await expect(page.getByTestId("ha-saved")).toContainText("The HA controller uses the new settings now");
  await page.reload();
  await expect(s.form().getByLabel("VM boot")).toHaveValue(String(Number(oldBoot) + 1));

  // Put it back.
  await s.form().getByLabel("VM boot").fill(oldBoot);
  await s.form().getByRole("button", { name: "Save HA settings" }).click();
  await expect(page.getByTestId("ha-saved")).toBeVisible();
});
