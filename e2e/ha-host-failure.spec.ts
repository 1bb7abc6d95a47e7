// Story: fail a host in the demo, watch its VMs come back elsewhere, read the incident timeline.
// The e2e cluster runs with a 5 s failure timeout (HAVEN_SEED_TIMINGS in playwright.config.ts).
import { expect, test } from "@playwright/test";
import { HostPage, IncidentPage } from "./pages/console";

const HOST = "kvm-b04";

test("a failed host's VMs are rebuilt elsewhere and the incident timeline shows each step", async ({ page }) => {
  test.setTimeout(150_000);
  const host = new HostPage(page);
  await host.open(HOST);
  await expect(host.state()).toHaveText("Online");
  const vms = await host.vmNames();
  expect(vms.length, `${HOST} runs VMs in the demo`).toBeGreaterThan(2);

  await host.failHost();
  // The fault panel keeps the page fresh: unreachable after the missed heartbeats, then failed.
  await expect(host.state()).toHaveText("Failed", { timeout: 45_000 });
  // Its VMs leave the host page as they are rebuilt on other hosts.
  await expect(host.vmTable().getByRole("link", { name: vms[0], exact: true })).toHaveCount(0, { timeout: 45_000 });

  // The VM list shows the first one running on another host.
  await page.goto(`/vms?q=${vms[0]}`);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: vms[0], exact: true }) });
  await expect(row).toContainText("Running", { timeout: 30_000 });
  await expect(row).not.toContainText(HOST);

  // The incident timeline: detection, countdown, failure, failover, then each VM running.
  const incident = new IncidentPage(page);
  await incident.openLatestOfHost(host.id);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Host failure of ${HOST}`);
  for (const phase of ["Host unreachable", "Countdown started", "Host declared failed", "Failover planned"]) {
    await expect(incident.phases().getByText(phase, { exact: true })).toBeVisible();
  }
  // The page refreshes itself while the incident is open; it closes when the last VM runs.
  await expect(incident.phases().getByText("Incident closed", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("recovered-count")).toHaveText(`${vms.length} of ${vms.length}`);
  for (const vm of vms) {
    const r = incident.vmRow(vm);
    await expect(r).toContainText("Planned →");
    await expect(r).toContainText("Start sent");
    await expect(r.getByTestId("vm-recovery")).toHaveText(/^\d+(\.\d)? s$/);
    await expect(r.getByText("Running", { exact: true }).first()).toBeVisible();
  }
  // Its alerts are linked from the timeline.
  await expect(page.getByRole("link", { name: /Host failed/ })).toBeVisible();

  // Put the host back so later stories have the whole cluster's capacity.
  await host.open(HOST);
  await host.restoreHost();
  await expect(host.state()).toHaveText("Online", { timeout: 30_000 });
});
