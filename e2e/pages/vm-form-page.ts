// Page object: the VM form (/vms/new and /vms/[id]/edit).
import { expect, type Locator, type Page } from "@playwright/test";

export class VmFormPage {
  readonly form: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByRole("form", { name: /VM/ });
  }

  async gotoNew() {
    await this.page.goto("/vms/new");
    await expect(this.page.getByRole("heading", { level: 1, name: "New VM" })).toBeVisible();
    await this.ready();
  }

  /** Waits until the form is hydrated (its submit handler is live). */
  async ready() {
    await expect(this.form).toHaveAttribute("data-ready", "true");
  }

  field(label: string | RegExp): Locator {
    return this.form.getByLabel(label, { exact: typeof label === "string" });
  }

  async fillBasics(v: { name: string; vcpus: string | number; memoryGiB: string | number; haPriority?: string }) {
    await this.field("Name").fill(v.name);
    await this.field("vCPUs").fill(String(v.vcpus));
    await this.field("Memory (GiB)").fill(String(v.memoryGiB));
    if (v.haPriority) await this.field("HA priority").selectOption(v.haPriority);
  }

  deviceRow(n: number): Locator {
    return this.form.getByRole("group", { name: `Device request ${n}` });
  }

  /** Adds a device request row and fills it. */
  async addDevice(d: { type: "gpu" | "vgpu" | "sriov"; tag: string; count?: number }) {
    const rows = await this.form.getByRole("group", { name: /^Device request \d+$/ }).count();
    await this.form.getByRole("button", { name: "Add device" }).click();
    const row = this.deviceRow(rows + 1);
    await row.getByLabel("Type").selectOption(d.type);
    await row.getByLabel("Tag").fill(d.tag);
    if (d.count !== undefined) await row.getByLabel("Count").fill(String(d.count));
    return row;
  }

  async submit() {
    await this.form.getByRole("button", { name: /^(Create VM|Save VM)$/ }).click();
  }

  /** The error text shown next to a field (via its aria-describedby). */
  async errorOf(control: Locator): Promise<string> {
    await expect(control).toHaveAttribute("aria-invalid", "true");
    const ids = (await control.getAttribute("aria-describedby")) ?? "";
    const errorId = ids.split(" ").find((id) => id.endsWith("-error"));
    expect(errorId, "the field points at its error").toBeTruthy();
    return (await this.page.locator(`#${errorId}`).innerText()).trim();
  }

  banner(): Locator {
    return this.form.getByRole("alert");
  }
}
