// Story (issue 10): an admin sets the cluster's recovery policy (failback, restart policy) and
// ranks the hosts of a VM-host group (preference order, failback off for it); both are saved and
// shown again. Everything is put back at the end.
import { expect, test, type Page } from "@playwright/test";
import { HaSettingsPage } from "./pages/dashboard";

const suffix = () => Date.now().toString(36);

async function ready(page: Page, formName: string | RegExp) {
  const form = page.getByRole("form", { name: formName });
  await expect(form).toHaveAttribute("data-ready", "true");
  return form;
}

test("HA settings: failback off and a relocation limit show their consequence, save, and read back", async ({ page }) => {
  const s = new HaSettingsPage(page);
  await s.open();
  const relocations = s.form().getByLabel("Relocations");
  await expect(relocations).toHaveValue("");
  await expect(relocations).toHaveAttribute("placeholder", "no limit");

  await s.choose("Off");
  await relocations.fill("3");
  await expect(s.headlines().filter({ hasText: "Failback off" })).toBeVisible();
  await expect(s.headlines().filter({ hasText: "at most 3 relocations" })).toBeVisible();
  await s.form().getByLabel("Maintenance rebuild after").fill("10");
  await expect(s.form().getByText("At least 60 s")).toBeVisible();
  await s.form().getByLabel("Maintenance rebuild after").fill("");
  await s.form().getByRole("button", { name: "Save HA settings" }).click();
  await expect(page.getByTestId("ha-saved")).toBeVisible();
  await page.reload();
  await expect(s.form().getByLabel("Relocations")).toHaveValue("3");
  await expect(s.form().getByRole("radio", { name: /^Off/ })).toBeChecked();

  // Put it back.
  await s.choose("On");
  await s.form().getByLabel("Relocations").fill("");
  await s.form().getByRole("button", { name: "Save HA settings" }).click();
  await expect(page.getByTestId("ha-saved")).toBeVisible();
});

test("a VM-host group ranks its hosts; the order and failback are listed; a host outside the group is refused", async ({ page }) => {
  const name = `e2e-order-${suffix()}`;
  await page.goto("/placement-groups/new");
  const form = await ready(page, "New placement group");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Type").selectOption("vm-host");
  await form.getByLabel("Enforcement").selectOption("should");
  await form.getByRole("group", { name: "VMs" }).getByRole("checkbox").nth(0).check();
  const hosts = form.getByRole("group", { name: "Hosts" });
  await hosts.getByRole("checkbox", { name: "kvm-a01" }).check();
  await hosts.getByRole("checkbox", { name: "kvm-a02" }).check();
  const add = form.getByLabel("Host to rank next");
  await add.selectOption({ label: "kvm-a02" });
  await form.getByRole("button", { name: "Add to order" }).click();
  await add.selectOption({ label: "kvm-a03" });
  await form.getByRole("button", { name: "Add to order" }).click();
  await form.getByLabel("Failback").selectOption("off");
  await form.getByRole("button", { name: "Create group" }).click();
  await expect(form.getByText("A ranked host must be one of the group's hosts")).toBeVisible();

  await form.getByRole("button", { name: "Remove kvm-a03 from the order" }).click();
  await add.selectOption({ label: "kvm-a01" });
  await form.getByRole("button", { name: "Add to order" }).click();
  await form.getByRole("button", { name: "Move kvm-a01 up" }).click();
  await expect(form.getByRole("list", { name: "Ranked hosts" }).getByRole("listitem").first()).toContainText("kvm-a01");
  await form.getByRole("button", { name: "Create group" }).click();
  await expect(page).toHaveURL(/\/placement-groups$/);
  const row = page.getByRole("table", { name: "Placement groups" }).getByRole("row").filter({ hasText: name });
  await expect(row.getByTestId("pg-host-order")).toHaveText("order: kvm-a01 › kvm-a02 · failback off");

  // Clean up: the rule goes.
  // The name opens the group's read-only page (every role); admins edit from there.
  await row.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await page.getByRole("link", { name: "Edit" }).click();
  await ready(page, "Edit placement group");
  await page.getByRole("button", { name: "Delete group" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete group" }).click();
  await expect(page).toHaveURL(/\/placement-groups$/);
});
