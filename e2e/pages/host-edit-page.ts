// Page object: a host's edit page (/hosts/[id]/edit): host fields, GPUs, NICs, SR-IOV tags.
import { expect, type Locator, type Page } from "@playwright/test";

export class HostEditPage {
  constructor(readonly page: Page) {}

  /** Opens the edit page of the host named `name` through the hosts list and its detail page. */
  async openFor(name: string) {
    await this.page.goto(`/hosts?q=${encodeURIComponent(name)}`);
    await this.page.getByRole("link", { name, exact: true }).first().click();
    await expect(this.page.getByRole("heading", { level: 1, name })).toBeVisible();
    await this.page.getByRole("link", { name: "Edit", exact: true }).click();
    await expect(this.page).toHaveURL(/\/hosts\/[^/]+\/edit$/);
    await expect(this.page.getByRole("heading", { level: 1, name: `Edit ${name}` })).toBeVisible();
    await expect(this.page.getByRole("form", { name: "Edit host" })).toHaveAttribute("data-ready", "true");
  }

  nicsTable(): Locator {
    return this.page.getByRole("table", { name: "NICs" });
  }

  nicRow(nic: string): Locator {
    return this.nicsTable().getByRole("row").filter({ has: this.page.getByRole("cell", { name: nic, exact: true }) });
  }

  tagForm(nic: string): Locator {
    return this.page.getByRole("form", { name: `SR-IOV tag of ${nic}` });
  }

  tagInput(nic: string): Locator {
    return this.tagForm(nic).getByLabel(`SR-IOV tag of ${nic}`);
  }

  /** The preview of a re-tag (VFs per tag, eligibility flips), shown before it is saved. */
  retagPreview(nic: string): Locator {
    return this.tagForm(nic).getByTestId("nic-retag-preview");
  }

  /** Types the tag, asks for the preview, then saves (a refused tag shows its error instead of a preview). */
  async setTag(nic: string, tag: string) {
    await expect(this.tagForm(nic)).toHaveAttribute("data-ready", "true");
    await this.tagInput(nic).fill(tag);
    await this.tagForm(nic).getByRole("button", { name: "Set tag…" }).click();
    const saveOrError = this.retagPreview(nic).or(this.tagForm(nic).locator('[aria-invalid="true"]'));
    await expect(saveOrError.first()).toBeVisible();
    if (await this.retagPreview(nic).isVisible()) await this.tagForm(nic).getByRole("button", { name: "Save tag" }).click();
  }

  /** The "Saved" confirmation of a NIC's tag form, shown once the store has the new tag. */
  tagSaved(nic: string): Locator {
    return this.tagForm(nic).getByRole("status");
  }
}
