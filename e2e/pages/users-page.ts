// Page object: /users (admin): create a user with a role.
import { expect, type Page } from "@playwright/test";

export class UsersPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/users");
    await expect(this.page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
    await expect(this.page.getByRole("form", { name: "New user" })).toHaveAttribute("data-ready", "true");
  }

  async create(user: { email: string; name: string; password: string; role: "viewer" | "operator" | "admin" }) {
    const form = this.page.getByRole("form", { name: "New user" });
    await form.getByLabel("Email").fill(user.email);
    await form.getByLabel("Name").fill(user.name);
    await form.getByLabel("Password").fill(user.password);
    await form.getByLabel("Role").selectOption(user.role);
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(this.page.getByRole("table", { name: "Users" }).getByRole("cell", { name: user.email, exact: true })).toBeVisible();
  }
}
