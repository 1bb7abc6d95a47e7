// Page objects of the operations screens: a host's page (fault panel, maintenance), a VM's page
// (power, explained placement, HA eligibility), the incident timeline and the alert review.
import { alertKindLabel } from "../../lib/display/alert-kind";
import { expect, type Locator, type Page } from "@playwright/test";

/** Opens an entity's page by name through its list's search (hosts, VMs). */
async function openByName(page: Page, list: "hosts" | "vms", name: string): Promise<string> {
  await page.goto(`/${list}?q=${encodeURIComponent(name)}`);
  await page.getByRole("link", { name, exact: true }).first().click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const id = new URL(page.url()).pathname.split("/")[2];
  expect(id, `the ${list} page of ${name} has an id in its URL`).toBeTruthy();
  return id;
}

export class HostPage {
  id = "";
  constructor(readonly page: Page) {}

  async open(name: string) {
    this.id = await openByName(this.page, "hosts", name);
  }

  /** The state badge in the page header (Online, Unreachable, Failed, Maintenance). */
  state(): Locator {
    return this.page.locator("h1").locator("..").getByText(/^(Online|Unreachable|Failed|Maintenance|Isolated)$/);
  }

  vmTable(): Locator {
    return this.page.getByRole("table", { name: "VMs on this host" });
  }

  async vmNames(): Promise<string[]> {
    return (await this.vmTable().getByRole("row").locator("td:first-child a").allTextContents()).map((s) => s.trim()).filter(Boolean);
  }

  async failHost() {
    await this.page.getByTestId("fault-host-down").click();
  }

  async restoreHost() {
    await this.page.getByTestId("fault-host-up").click();
  }

  maintenance(): Locator {
    return this.page.getByTestId("maintenance-panel");
  }

  /** A VM's row in the maintenance progress table. */
  progressRow(vm: string): Locator {
    return this.maintenance()
      .getByRole("table", { name: "Maintenance progress" })
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name: vm, exact: true }) });
  }

  async openEnterMaintenance(): Promise<Locator> {
    await this.maintenance().getByRole("button", { name: "Enter maintenance" }).click();
    const dialog = this.page.getByRole("dialog", { name: /Enter maintenance on/ });
    await expect(dialog.getByTestId("evacuation-plan")).toBeVisible();
    return dialog;
  }
}

export class VmPage {
  id = "";
  constructor(readonly page: Page) {}

  async open(name: string) {
    this.id = await openByName(this.page, "vms", name);
  }

  async powerOn() {
    await this.page.getByRole("button", { name: "Power on", exact: true }).click();
  }

  explanation(): Locator {
    return this.page.getByTestId("placement-explanation");
  }

  /** The row of one host in the explanation table. */
  hostRow(host: string): Locator {
    return this.explanation()
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name: host, exact: true }) });
  }

  haEligibility(): Locator {
    return this.page.getByText(/^(Qualifies for HA|Not HA-eligible)$/).first();
  }
}

export class IncidentPage {
  constructor(readonly page: Page) {}

  /** The newest incident of a host, from the incident list filtered by host. */
  async openLatestOfHost(hostId: string) {
    await this.page.goto(`/incidents?host=${encodeURIComponent(hostId)}`);
    await this.page.getByRole("link", { name: /^Incident \d+ timeline$/ }).first().click();
    await expect(this.page.getByRole("heading", { level: 1, name: /^Incident #\d+/ })).toBeVisible();
  }

  phases(): Locator {
    return this.page.getByRole("list", { name: "Incident phases" });
  }

  vmTable(): Locator {
    return this.page.getByRole("table", { name: "VMs of the incident" });
  }

  vmRow(vm: string): Locator {
    return this.vmTable()
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name: vm, exact: true }) });
  }
}

export class AlertsPage {
  constructor(readonly page: Page) {}

  async open(params: Record<string, string> = {}) {
    await this.page.goto(`/alerts?${new URLSearchParams(params)}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
  }

  table(): Locator {
    return this.page.getByRole("table", { name: "Alerts" });
  }

  row(kind: string, entity: string): Locator {
    return this.table()
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name: entity, exact: true }) })
      .filter({ hasText: alertKindLabel(kind) });
  }

  async acknowledge(kind: string, entity: string, note: string) {
    await this.row(kind, entity).getByRole("button", { name: `Acknowledge ${kind} on ${entity}` }).click();
    const dialog = this.page.getByRole("dialog", { name: `Acknowledge ${kind} on ${entity}` });
    await dialog.getByLabel(/Note/).fill(note);
    await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  /** Resolve asks first (a resolved alert leaves the active list): click, then confirm. */
  async resolve(kind: string, entity: string) {
    await this.row(kind, entity).getByRole("button", { name: `Resolve ${kind} on ${entity}` }).click();
    await this.row(kind, entity).getByRole("button", { name: `Confirm: resolve ${kind} on ${entity}` }).click();
  }
}
