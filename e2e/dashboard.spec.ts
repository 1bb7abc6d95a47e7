// Stories on the cluster dashboard: the HA card says how many host failures the cluster absorbs and
// which failure sets it cannot, with the reason; the what-if of a host shows where each VM would
// restart and which cannot; device-tag coverage names the VM that could not be rebuilt; a fault
// injected from the console shows without a reload.
import { expect, test } from "@playwright/test";
import { ClusterDashboard } from "./pages/dashboard";

test("the HA card shows the tolerated failures and the failure sets that cannot be absorbed, with the reason", async ({ page }) => {
  const d = new ClusterDashboard(page);
  await d.open();
  const card = d.haCard();
  await expect(card.getByTestId("ha-tolerates")).toHaveText(/Tolerates 0 host failures\s*of 1 required/);
  const sets = card.getByTestId("ha-unabsorbable");
  await sets.locator("summary").click();
  // render-02 asks for kvm-a01's GPU by name: kvm-a01 failing cannot be absorbed.
  const a01 = sets.getByTestId("ha-unabsorbable-set").filter({ has: page.getByRole("link", { name: "kvm-a01", exact: true }) });
  await expect(a01).toContainText("render-02 cannot be restarted");
  await expect(a01).toContainText("by name");
  // The reserve per host is there, collapsed.
  await card.getByTestId("ha-reserve").locator("summary").click();
  await expect(card.getByTestId("ha-reserve")).toContainText("vCPU");
  // VMs only one host could ever run are listed as not protected, with the reason.
  const np = card.getByTestId("ha-not-protected");
  await np.locator("summary").click();
  await expect(np.getByTestId("ha-not-protected-vm").filter({ hasText: "render-02" })).toContainText("asks for GPU kvm-a01-gpu1 by name");
  await expect(np.getByTestId("ha-not-protected-vm").filter({ hasText: "video-enc-01" })).toContainText('only kvm-a03 has 1 GPU tagged "NVIDIA L4"');
});

test("the what-if of a host shows where each VM would restart, which cannot and why, and the recovery time", async ({ page }) => {
  const d = new ClusterDashboard(page);
  await d.open();
  const result = await d.whatIfFor("kvm-a01");
  // render-01 asks for a Tesla M60 and may only run on kvm-a01 or kvm-b01 (host affinity).
  await expect(d.restartRow("render-01").getByTestId("what-if-destination")).toHaveText("kvm-b01");
  const destinations = await result.getByTestId("what-if-destination").allTextContents();
  expect(destinations.length).toBeGreaterThan(0);
  expect(destinations).not.toContain("kvm-a01");
  await expect(result.getByTestId("what-if-unplaceable")).toContainText("render-02");
  await expect(result.getByTestId("what-if-unplaceable")).toContainText("by name");
  await expect(result.getByTestId("what-if-recovery")).toContainText(/≈ \d+(\.\d+)? s/);
  // The choice is in the URL: a reload shows the same host's plan.
  await expect(page).toHaveURL(/whatif=/);
  await page.reload();
  await expect(d.whatIf().getByTestId("what-if-result")).toHaveAttribute("data-host", "kvm-a01");

  // The same panel on the host's own page.
  await result.getByRole("link", { name: "kvm-a01", exact: true }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "kvm-a01" })).toBeVisible();
  await expect(page.getByTestId("what-if").getByTestId("what-if-restarts")).toContainText("render-01");
});

test("device-tag coverage names the VM that could not be rebuilt on another host", async ({ page }) => {
  const d = new ClusterDashboard(page);
  await d.open();
  const l4 = d.tagCoverage().getByTestId("coverage-gpu-NVIDIA L4");
  await expect(l4).toContainText("1 of 1 cannot");
  await l4.locator("summary").click();
  await expect(l4).toContainText("video-enc-01");
  await expect(l4).toContainText('no other host has 1 free GPU tagged "NVIDIA L4"');
  await expect(d.tagCoverage().getByTestId("coverage-sriov-trading-a")).toContainText("All");
});

test("a fault injected from the console shows on the dashboard without a reload", async ({ page }) => {
  test.setTimeout(60_000);
  const d = new ClusterDashboard(page);
  await d.open();
  const alerts = d.activeAlerts();
  await expect(alerts).not.toContainText("bond stor0 on kvm-b02");
  const inject = (action: string) =>
    page.evaluate(async (a) => (await fetch("/api/v1/demo/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ action: a, host: "kvm-b02", nic: "ens2f1" }) })).status, action);
  expect(await inject("nic-down")).toBe(200);
  try {
    // One NIC of the storage bond down: the next heartbeat reports it, the alert is raised, the page follows.
    await expect(alerts).toContainText("bond stor0 on kvm-b02: ens2f1 down", { timeout: 12_000 });
  } finally {
    expect(await inject("nic-up")).toBe(200);
  }
  await expect(alerts).not.toContainText("bond stor0 on kvm-b02", { timeout: 12_000 });
});
