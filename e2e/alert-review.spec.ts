// Story: an operator acknowledges an alert with a note, resolves it, and reviews the history;
// bulk acknowledge; auto-resolved alerts stay visible.
import { expect, test } from "@playwright/test";
import { ADMIN_EMAIL } from "./fixtures/auth";
import { AlertsPage } from "./pages/console";

test("acknowledge an alert with a note, then resolve it; its history says who and when", async ({ page }) => {
  const alerts = new AlertsPage(page);
  const KIND = "VM_HA_INELIGIBLE";
  const VM = "render-02";
  await alerts.open({ kind: KIND, vm: VM });
  const row = alerts.row(KIND, VM);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Open");

  await alerts.acknowledge(KIND, VM, "Known: named GPU, tracked in the capacity plan");
  await expect(row).toContainText("Acknowledged");
  await expect(row).toContainText(`by ${ADMIN_EMAIL}`);
  await expect(row).toContainText("Known: named GPU, tracked in the capacity plan");

  // The detail page keeps the message and the history.
  await row.getByRole("link", { name: /render-02 is not HA-eligible/ }).click();
  // the kind in words, not VM_HA_INELIGIBLE
  await expect(page.getByRole("heading", { level: 1, name: "VM not HA-eligible" })).toBeVisible();
  await expect(page.getByTestId("alert-message")).toContainText("render-02 is not HA-eligible");
  const history = page.getByTestId("alert-history");
  await expect(history).toContainText("Acknowledged");
  await expect(history).toContainText(ADMIN_EMAIL);
  await page.getByRole("button", { name: `Resolve ${KIND} on ${VM}` }).click();
  // it asks first; Cancel leaves the alert as it was
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(history).not.toContainText("Resolved");
  await page.getByRole("button", { name: `Resolve ${KIND} on ${VM}` }).click();
  await page.getByRole("button", { name: `Confirm: resolve ${KIND} on ${VM}` }).click();
  await expect(history).toContainText("Resolved", { timeout: 15_000 });
  await expect(page.getByRole("button", { name: `Resolve ${KIND} on ${VM}` })).toHaveCount(0);

  // Resolved tab: by the operator; the seeded auto-resolved alerts say "auto-resolved".
  await alerts.open({ status: "resolved", kind: KIND, vm: VM });
  await expect(alerts.row(KIND, VM).filter({ hasText: `by ${ADMIN_EMAIL}` })).toHaveCount(1);
  await alerts.open({ status: "resolved" });
  await expect(alerts.table().getByText(/^auto-resolved/).first()).toBeVisible();
});

test("bulk-acknowledge the selected alerts", async ({ page }) => {
  const alerts = new AlertsPage(page);
  await alerts.open({ kind: "VM_HA_INELIGIBLE", status: "open", vm: "ml-" });
  const boxes = alerts.table().getByRole("checkbox", { name: /^Select VM_HA_INELIGIBLE on / });
  const n = await boxes.count();
  expect(n, "the demo has open HA-ineligibility alerts on ml-* VMs").toBeGreaterThanOrEqual(2);
  await alerts.table().getByRole("checkbox", { name: "Select all live alerts on this page" }).check();
  await expect(page.getByTestId("selection-count")).toHaveText(`${n} selected`);
  await page.getByRole("button", { name: "Acknowledge selected" }).click();
  const dialog = page.getByRole("dialog", { name: `Acknowledge ${n} alerts` });
  await dialog.getByLabel(/Note/).fill("Bulk: GPU capacity ordered");
  await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
  await expect(dialog).toBeHidden();
  // They left the "open" view and show as acknowledged with the note.
  await expect(alerts.table()).toHaveCount(0);
  await alerts.open({ kind: "VM_HA_INELIGIBLE", status: "acknowledged", vm: "ml-" });
  await expect(alerts.table().getByText("Bulk: GPU capacity ordered")).toHaveCount(n);
});
