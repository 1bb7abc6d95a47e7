// Admin CRUD through the forms: a host with a GPU and a NIC, a network, a placement group,
// editing and deleting a VM (with the confirmation dialog).
import { expect, test, type Page } from "@playwright/test";

const suffix = () => Date.now().toString(36);

async function ready(page: Page, formName: string | RegExp) {
  const form = page.getByRole("form", { name: formName });
  await expect(form).toHaveAttribute("data-ready", "true");
  return form;
}

test("create a host, add a GPU and a NIC on its edit page, then delete it", async ({ page }) => {
  const name = `e2e-h-${suffix()}`;
  await page.goto("/hosts/new");
  let form = await ready(page, "New host");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("CPUs", { exact: true }).fill("32");
  await form.getByLabel("Memory (GiB)").fill("256");
  await form.getByRole("button", { name: "Create host" }).click();
  await expect(page).toHaveURL(/\/hosts\/(?!new$)[^/]+$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await ready(page, "Edit host");
  await page.getByRole("button", { name: "Add GPU" }).click();
  form = await ready(page, "Add GPU");
  await form.getByLabel("Model").fill("NVIDIA L4");
  await form.getByLabel("PCI address").fill("0000:3B:00.0");
  await form.getByLabel("vGPU profile").fill("L4-2Q");
  await form.getByLabel("vGPU slots").fill("12");
  await form.getByRole("button", { name: "Add GPU" }).click();
  const gpus = page.getByRole("table", { name: "GPUs" });
  await expect(gpus.getByRole("row").filter({ hasText: `${name}-gpu0` })).toContainText("NVIDIA L4/L4-2Q");

  await page.getByRole("button", { name: "Add NIC" }).click();
  form = await ready(page, "Add NIC");
  await form.getByLabel("Interface").fill("ens9f0");
  await form.getByLabel("SR-IOV VFs").fill("300");
  await form.getByRole("button", { name: "Add NIC" }).click();
  const vfs = form.getByLabel("SR-IOV VFs");
  await expect(vfs).toHaveAttribute("aria-invalid", "true");
  await vfs.fill("8");
  await form.getByRole("button", { name: "Add NIC" }).click();
  await expect(page.getByRole("table", { name: "NICs" }).getByRole("row").filter({ hasText: "ens9f0" })).toContainText("0 / 8");

  await page.getByRole("button", { name: "Delete host" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText(`Delete host ${name}?`);
  await dialog.getByRole("button", { name: "Delete host" }).click();
  await expect(page).toHaveURL(/\/hosts$/);
  await page.goto(`/hosts?q=${name}`);
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
});

test("deleting a host that runs VMs is refused in the dialog", async ({ page }) => {
  await page.goto("/hosts?q=kvm-a01");
  await page.getByRole("link", { name: "kvm-a01", exact: true }).first().click();
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await ready(page, "Edit host");
  await page.getByRole("button", { name: "Delete host" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByRole("button", { name: "Delete host" }).click();
  await expect(dialog.getByRole("alert")).toContainText(/Host kvm-a01 runs \d+ VMs?; move or delete them first/);
});

test("create a managed network; a bad pool shows its field error first", async ({ page }) => {
  const name = `e2e-net-${suffix()}`;
  await page.goto("/networks/new");
  const form = await ready(page, "New network");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("VLAN").fill("321");
  await form.getByLabel("CIDR").fill("10.99.0.0/24");
  await form.getByLabel("Gateway").fill("10.99.0.1");
  await form.getByLabel("DNS servers").fill("10.99.0.2");
  await form.getByLabel("Pool start").fill("10.99.0.200");
  await form.getByLabel("Pool end").fill("10.99.0.100");
  await form.getByRole("button", { name: "Create network" }).click();
  await expect(form.getByLabel("Pool end")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("The pool ends before it starts")).toBeVisible();
  await form.getByLabel("Pool end").fill("10.99.0.250");
  await form.getByRole("button", { name: "Create network" }).click();
  await expect(page).toHaveURL(/\/networks\/(?!new$)[^/]+$/);
});

test("create a placement group; it is listed", async ({ page }) => {
  const name = `e2e-pg-${suffix()}`;
  await page.goto("/placement-groups/new");
  const form = await ready(page, "New placement group");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Type").selectOption("vm-vm-anti-affinity");
  const vms = form.getByRole("group", { name: "VMs" }).getByRole("checkbox");
  await vms.nth(0).check();
  await form.getByRole("button", { name: "Create group" }).click();
  await expect(form.getByText("A VM-VM group needs at least two VMs")).toBeVisible();
  await vms.nth(1).check();
  await form.getByRole("button", { name: "Create group" }).click();
  await expect(page).toHaveURL(/\/placement-groups$/);
  await expect(page.getByRole("table", { name: "Placement groups" }).getByRole("row").filter({ hasText: name })).toContainText("VM-VM anti-affinity");
});

test("edit a stopped VM and delete it with the confirmation dialog", async ({ page }) => {
  const name = `e2e-edit-${suffix()}`;
  await page.goto("/vms/new");
  let form = await ready(page, "New VM");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByRole("button", { name: "Create VM" }).click();
  await expect(page).toHaveURL(/\/vms\/(?!new$)[^/]+$/);
  const detailUrl = page.url();

  await page.goto(`${detailUrl}/edit`);
  form = await ready(page, "Edit VM");
  await form.getByLabel("vCPUs").fill("6");
  await form.getByRole("button", { name: "Add disk" }).click();
  await form.getByRole("group", { name: "Disk 2" }).getByLabel("Size (GiB)").fill("100");
  await form.getByRole("button", { name: "Save VM" }).click();
  await expect(page).toHaveURL(detailUrl);

  await page.goto(`${detailUrl}/edit`);
  form = await ready(page, "Edit VM");
  await expect(form.getByLabel("vCPUs")).toHaveValue("6");
  await expect(form.getByRole("group", { name: "Disk 2" }).getByLabel("Size (GiB)")).toHaveValue("100");
  await page.getByRole("button", { name: "Delete VM" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete VM" }).click();
  await expect(page).toHaveURL(/\/vms$/);
  const res = await page.goto(detailUrl);
  expect(res?.status()).toBe(404);
});
