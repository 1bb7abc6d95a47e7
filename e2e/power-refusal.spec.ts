// Story: a refused power-on shows every host of the cluster with the reason it was rejected.
import { expect, test } from "@playwright/test";
import { VmPage } from "./pages/console";

const VM = "ml-train-02"; // asks for an A100 in compute mode; the only one is taken

test("a refused power-on lists every host with its reasons", async ({ page }) => {
  await page.goto("/hosts?size=100");
  const hostNames = (await page.getByRole("table").first().locator("tbody tr td:first-child a").allTextContents()).map((s) => s.trim()).filter(Boolean);
  expect(hostNames.length, "the demo cluster has hosts").toBeGreaterThan(5);

  const vm = new VmPage(page);
  await vm.open(VM);
  await expect(page.locator("h1").locator("..")).toContainText("Stopped");
  await vm.powerOn();
  await expect(page.getByTestId("power-message")).toContainText(`${VM} cannot be powered on`);
  await expect(page.getByRole("heading", { name: "Power-on refused: every host's reason" })).toBeVisible();
  for (const h of hostNames) {
    const row = vm.hostRow(h);
    await expect(row, `${h} is in the explanation`).toHaveCount(1);
    await expect(row).toContainText("Rejected");
    await expect(row.locator("li").first()).not.toBeEmpty();
  }
  await expect(vm.explanation()).toContainText('needs 1 free GPU tagged "NVIDIA A100-PCIE-40GB.compute"');
  // Still stopped: a refusal changes nothing.
  await page.reload();
  await expect(page.locator("h1").locator("..")).toContainText("Stopped");
});
