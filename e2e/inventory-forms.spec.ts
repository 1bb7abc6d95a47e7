// Admin forms: create a VM with an SR-IOV device request, tag a NIC and see the tag on
// /tags, and invalid forms that show their field errors (nothing stored).
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { VmFormPage } from "./pages/vm-form-page";
import { HostEditPage } from "./pages/host-edit-page";

const suffix = () => Date.now().toString(36);

/** Rows in the e2e store (the web server's SQLite file, read-only). */
function countRows(sql: string, ...params: unknown[]): number {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set (playwright.config.ts sets it)");
  const db = new Database(url.replace(/^file:/, ""), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

test("create a VM with an SR-IOV device request; its detail page shows the request", async ({ page }) => {
  const vm = new VmFormPage(page);
  await vm.gotoNew();
  const name = `e2e-sriov-${suffix()}`;
  await vm.fillBasics({ name, vcpus: 2, memoryGiB: 4, haPriority: "high" });
  await vm.addDevice({ type: "sriov", tag: "trading-a", count: 2 });
  await vm.submit();

  await expect(page).toHaveURL(/\/vms\/(?!new$)[^/]+$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const requests = page.getByRole("table", { name: "Device requests" });
  await expect(requests).toBeVisible();
  const row = requests.getByRole("row").filter({ hasText: "trading-a" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(/sriov|SR-IOV/i);
  await expect(row).toContainText("2");
});

test("tag a NIC on a host's edit page; /tags lists the new tag", async ({ page }) => {
  const host = new HostEditPage(page);
  await host.openFor("kvm-a05");
  const tag = `e2e-fabric-${suffix()}`;
  await host.setTag("ens1f0", tag);
  await expect(host.tagSaved("ens1f0")).toHaveText("Saved");
  await expect(host.tagInput("ens1f0")).toHaveValue(tag);
  await expect(host.tagInput("ens1f0")).not.toHaveAttribute("aria-invalid", "true");

  expect(countRows('SELECT COUNT(*) AS n FROM "DeviceTag" WHERE "type" = \'sriov\' AND "name" = ? AND "origin" = \'user\'', tag)).toBe(1);

  await page.goto("/tags");
  await expect(page.getByText(tag, { exact: true }).first()).toBeVisible();
});

test("a bad NIC tag name shows its field error and changes nothing", async ({ page }) => {
  const host = new HostEditPage(page);
  await host.openFor("kvm-a04");
  await host.setTag("ens1f1", "bad tag!");
  const input = host.tagInput("ens1f1");
  await expect(input).toHaveAttribute("aria-invalid", "true");
  const described = (await input.getAttribute("aria-describedby")) ?? "";
  await expect(page.locator(`#${described.split(" ")[0]}`)).toContainText("1–64 characters");
  await page.reload();
  await expect(host.tagInput("ens1f1")).toHaveValue("trading-b");
  expect(countRows(`SELECT COUNT(*) AS n FROM "DeviceTag" WHERE "name" = 'bad tag!'`)).toBe(0);
});

test("a VM with 0 vCPUs and a bad SR-IOV tag shows both field errors and is not created", async ({ page }) => {
  const vm = new VmFormPage(page);
  await vm.gotoNew();
  const name = `e2e-bad-${suffix()}`;
  await vm.fillBasics({ name, vcpus: 0, memoryGiB: 4 });
  const row = await vm.addDevice({ type: "sriov", tag: "bad tag!" });
  await vm.submit();

  await expect(vm.banner()).toContainText("Check the highlighted fields");
  expect(await vm.errorOf(vm.field("vCPUs"))).toContain("at least 1");
  expect(await vm.errorOf(row.getByLabel("Tag"))).toContain("1–64 characters");
  await expect(page).toHaveURL(/\/vms\/new$/);
  // What was typed is kept.
  await expect(vm.field("Name")).toHaveValue(name);

  expect(countRows('SELECT COUNT(*) AS n FROM "Vm" WHERE "name" = ?', name)).toBe(0);
});
