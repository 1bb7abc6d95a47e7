// Page objects of the dashboards: the cluster overview (HA card, what-if, tag coverage, alerts),
// the HA settings page and the GPU dashboard.
import { expect, type Locator, type Page } from "@playwright/test";

export class ClusterDashboard {
  constructor(readonly page: Page) {}

  async open(query = "") {
    await this.page.goto(`/${query}`);
    await expect(this.haCard()).toBeVisible();
    await expect(this.whatIf()).toHaveAttribute("data-ready", "true");
  }

  haCard(): Locator {
    return this.page.getByTestId("ha-card");
  }

  whatIf(): Locator {
    return this.page.getByTestId("what-if");
  }

  async whatIfFor(host: string): Promise<Locator> {
    const select = this.page.getByTestId("what-if-host");
    const value = await select.locator("option", { hasText: new RegExp(`^${host} —`) }).getAttribute("value");
    expect(value, `${host} is offered in the what-if picker`).toBeTruthy();
    await select.selectOption(value!);
    const result = this.whatIf().getByTestId("what-if-result");
    await expect(result).toHaveAttribute("data-host", host);
    return result;
  }

  /** Destination host of a VM in the what-if's restart list. */
  restartRow(vm: string): Locator {
    return this.whatIf().getByTestId("what-if-restarts").getByRole("listitem").filter({ has: this.page.getByRole("link", { name: vm, exact: true }) });
  }

  tagCoverage(): Locator {
    return this.page.getByTestId("tag-coverage");
  }

  activeAlerts(): Locator {
    return this.page.locator("section", { has: this.page.getByRole("heading", { name: "Active alerts" }) });
  }
}

export class HaSettingsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/settings/ha");
    await expect(this.form()).toHaveAttribute("data-ready", "true");
  }

  form(): Locator {
    return this.page.getByRole("form", { name: "HA settings" });
  }

  preview(): Locator {
    return this.page.getByTestId("ha-preview");
  }

  headlines(): Locator {
    return this.preview().getByTestId("ha-preview-headline");
  }

  async choose(name: string) {
    await this.form().getByRole("radio", { name: new RegExp(`^${name}`) }).check();
  }
}

export class GpuDashboard {
  constructor(readonly page: Page) {}

  async open(query = "") {
    await this.page.goto(`/gpus/dashboard${query}`);
    await expect(this.switchPanel()).toBeVisible();
  }

  switchPanel(): Locator {
    return this.page.getByTestId("gpu-mode-switch");
  }

  async chooseGpu(name: string) {
    const select = this.page.getByTestId("mode-switch-gpu");
    await expect(select).toBeEnabled();
    const value = await select.locator("option", { hasText: new RegExp(`^${name} —`) }).getAttribute("value");
    expect(value, `${name} is offered in the mode-switch picker`).toBeTruthy();
    await select.selectOption(value!);
    await expect(this.plan()).toContainText(name);
  }

  plan(): Locator {
    return this.switchPanel().getByTestId("mode-switch-plan");
  }
}
