// Story: a host with a GPU VM goes into maintenance — the plan says the GPU VM is powered off
// (it cannot live-migrate) and the standard VMs migrate — and comes back: the GPU VM runs again.
import { expect, test } from "@playwright/test";
import { HostPage, VmPage } from "./pages/console";

const HOST = "kvm-a02";
const GPU_VM = "ml-train-01";

test("maintenance powers off the GPU VM, migrates the others, and exit starts the GPU VM again", async ({ page }) => {
  test.setTimeout(120_000);
  // The GPU VM's page explains the limit before anything happens.
  const vm = new VmPage(page);
  await vm.open(GPU_VM);
  await expect(page.getByTestId("gpu-vm-limit")).toContainText("Cannot live-migrate: passthrough/vGPU/VF devices");
  await expect(page.getByTestId("gpu-vm-limit")).toContainText("powered off");

  const host = new HostPage(page);
  await host.open(HOST);
  await expect(host.state()).toHaveText("Online");
  const dialog = await host.openEnterMaintenance();
  const plan = dialog.getByTestId("evacuation-plan");
  await expect(plan.getByRole("heading", { name: /Powered off \(device VMs cannot live-migrate\)/ })).toBeVisible();
  await expect(plan.getByText(`${GPU_VM} uses GPUs, vGPUs or SR-IOV VFs and cannot live-migrate`)).toBeVisible();
  await expect(plan.getByRole("heading", { name: /Live migrations/ })).toBeVisible();
  const migrating = (await plan.locator("section", { has: page.getByRole("heading", { name: /Live migrations/ }) }).locator("li > span:first-child").allTextContents()).map((s) => s.trim());
  expect(migrating.length, "a standard VM live-migrates off the host").toBeGreaterThan(0);

  await dialog.getByRole("button", { name: "Enter maintenance" }).click();
  await expect(dialog).toBeHidden();
  await expect(host.state()).toHaveText("Maintenance");
  // Progress: the GPU VM powered off, each standard VM migrated (the panel refreshes itself).
  await expect(host.progressRow(GPU_VM)).toContainText("Power-off");
  await expect(host.progressRow(GPU_VM)).toContainText("Stopped", { timeout: 30_000 });
  for (const m of migrating) {
    await expect(host.progressRow(m)).toContainText("Live migration");
    await expect(host.progressRow(m)).toContainText("Done", { timeout: 30_000 });
    await expect(host.progressRow(m)).toContainText("Running");
  }
  await expect(host.maintenance().getByTestId("maintenance-progress")).toContainText(`Migrated ${migrating.length}/${migrating.length}`);

  // Back: the GPU VM is started again.
  await host.maintenance().getByRole("button", { name: "Exit maintenance" }).click();
  await expect(host.state()).toHaveText("Online");
  await expect(host.progressRow(GPU_VM)).toContainText("running again", { timeout: 45_000 });
  await vm.open(GPU_VM);
  await expect(page.locator("h1").locator("..")).toContainText("Running");
});
