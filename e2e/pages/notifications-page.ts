// Settings → Notifications (issue 14).
import { expect, type Locator, type Page } from "@playwright/test";

export class NotificationsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/settings/notifications");
    await expect(this.page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
  }

  form(): Locator {
    return this.page.getByRole("form", { name: /New channel|Edit channel/ });
  }

  channel(name: string): Locator {
    return this.page.getByTestId(`channel-${name}`);
  }

  note(): Locator {
    return this.page.getByTestId("notify-note");
  }

  async newChannel(): Promise<Locator> {
    await this.page.getByRole("button", { name: "New channel" }).click();
    const f = this.page.getByRole("form", { name: "New channel" });
    await expect(f).toHaveAttribute("data-ready", "true");
    return f;
  }
}
