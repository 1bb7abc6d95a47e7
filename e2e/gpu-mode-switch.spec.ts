// Story: a GPU switched to compute mode in maintenance lists the VMs to reconfigure. The GPU
// dashboard first says the host must be in maintenance; the admin enters it from the host page;
// the plan shows the tag change and the VM whose request no longer matches; the switch confirms
// it with links to that VM's edit page. Afterwards the GPU is switched back and the host leaves
// maintenance (the other stories run on the same cluster).
import { expect, test } from "@playwright/test";
import { GpuDashboard } from "./pages/dashboard";
import { HostPage } from "./pages/console";

const HOST = "kvm-a03";
const GPU = "kvm-a03-gpu1"; // the cluster's only passthrough NVIDIA L4, used by video-enc-01

test("a GPU switched to compute mode in maintenance lists the VMs to reconfigure", async ({ page }) => {
  test.setTimeout(120_000);
  const gpus = new GpuDashboard(page);
  await gpus.open();
  await gpus.chooseGpu(GPU);
  await expect(gpus.plan().getByTestId("mode-switch-needs-maintenance")).toContainText(`${HOST} is online`);
  await expect(gpus.plan().getByRole("button", { name: /Switch .* to compute mode/ })).toHaveCount(0);

  // Maintenance, through the host page the dashboard links to.
  await gpus.plan().getByRole("link", { name: `Open ${HOST} to enter maintenance` }).click();
  const host = new HostPage(page);
  await expect(page.getByRole("heading", { level: 1, name: HOST })).toBeVisible();
  const dialog = await host.openEnterMaintenance();
  await dialog.getByRole("button", { name: "Enter maintenance" }).click();
  await expect(dialog).toBeHidden();
  await expect(host.state()).toHaveText("Maintenance");
  await expect(host.progressRow("video-enc-01")).toContainText("Stopped", { timeout: 30_000 });

  try {
    await gpus.open();
    await gpus.chooseGpu(GPU);
    const plan = gpus.plan();
    await expect(plan.getByTestId("mode-switch-new-tag")).toHaveText("NVIDIA L4.compute");
    await expect(plan.getByTestId("mode-switch-affected")).toContainText('video-enc-01 asks for 1 × gpu "NVIDIA L4"');
    await plan.getByRole("button", { name: `Switch ${GPU} to compute mode` }).click();

    const done = gpus.switchPanel().getByTestId("mode-switch-done");
    await expect(done).toContainText(`${GPU} is now in compute mode`);
    await expect(done).toContainText("NVIDIA L4.compute");
    const row = done.getByTestId("mode-switch-reconfigure").getByRole("listitem").filter({ hasText: "video-enc-01" });
    await expect(row).toHaveCount(1);
    const edit = row.getByRole("link", { name: "Edit devices" });
    await expect(edit).toHaveAttribute("href", /\/vms\/[^/]+\/edit$/);
    // The dashboard's groups follow: one compute-mode L4 passthrough GPU.
    await expect(page.getByRole("table", { name: "GPUs by model, mode and profile" })).toContainText("NVIDIA L4.compute");
    await edit.click();
    await expect(page).toHaveURL(/\/vms\/[^/]+\/edit$/);
  } finally {
    // Back to graphics mode, out of maintenance.
    await gpus.open();
    await gpus.chooseGpu(GPU);
    const back = gpus.plan().getByRole("button", { name: `Switch ${GPU} to graphics mode` });
    if (await back.count()) {
      await back.click();
      await expect(gpus.switchPanel().getByTestId("mode-switch-done")).toContainText("graphics mode");
    }
    await host.open(HOST);
    await host.maintenance().getByRole("button", { name: "Exit maintenance" }).click();
    await expect(host.state()).toHaveText("Online");
  }
});
