// Page object: the sign-in page (/sign-in), the first-run setup page (/setup) and signing out.
import { expect, type Page } from "@playwright/test";

export class SignInPage {
  constructor(readonly page: Page) {}

  form() {
    return this.page.getByRole("form", { name: "Sign in" });
  }

  async open() {
    await this.page.goto("/sign-in");
    await expect(this.form()).toHaveAttribute("data-ready", "true");
  }

  /** Fills and submits the form (does not wait for where it lands). */
  async submit(email: string, password: string) {
    await expect(this.form()).toHaveAttribute("data-ready", "true");
    await this.form().getByLabel("Email").fill(email);
    await this.form().getByLabel("Password").fill(password);
    await this.form().getByRole("button", { name: "Sign in" }).click();
  }

  async signIn(email: string, password: string) {
    await this.open();
    await this.submit(email, password);
    await this.page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
    await expect(this.page.getByTestId("signed-in-as")).toBeVisible();
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await this.page.waitForURL(/\/sign-in/);
    await expect(this.form()).toBeVisible();
  }
}

export class SetupPage {
  constructor(readonly page: Page) {}

  form() {
    return this.page.getByRole("form", { name: "Create the first admin" });
  }

  async createAdmin(name: string, email: string, password: string) {
    await expect(this.form()).toHaveAttribute("data-ready", "true");
    await this.form().getByLabel("Name").fill(name);
    await this.form().getByLabel("Email").fill(email);
    await this.form().getByLabel("Password").fill(password);
    await this.form().getByRole("button", { name: /create admin/i }).click();
  }
}
