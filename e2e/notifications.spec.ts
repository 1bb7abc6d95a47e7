// Story (issue 14): an admin adds a chat channel for critical alerts, presses "Send test" and the
// message arrives at a real HTTP receiver started by the test; a webhook channel whose receiver is
// down shows the failure and its error on the page; a bad URL is refused next to its field.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { NotificationsPage } from "./pages/notifications-page";

test("an admin adds channels, tests them, and sees a failure with its error", async ({ page }) => {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as AddressInfo).port;
  const down = http.createServer();
  await new Promise<void>((r) => down.listen(0, "127.0.0.1", r));
  const downPort = (down.address() as AddressInfo).port;
  await new Promise((r) => down.close(r)); // nothing listens there any more

  try {
    const n = new NotificationsPage(page);
    await n.open();
    const name = `on-call ${Date.now()}`;

    // A bad URL: refused next to its field, nothing saved.
    let f = await n.newChannel();
    await f.getByLabel("Name").fill(name);
    await f.getByLabel("Type").selectOption("chat");
    await f.getByLabel("Incoming webhook URL").fill("ftp://chat.example.com/hook");
    await f.getByRole("button", { name: "Create channel" }).click();
    await expect(f.getByLabel("Incoming webhook URL")).toHaveAttribute("aria-invalid", "true");
    await expect(f.getByText("An http:// or https:// URL")).toBeVisible();

    await f.getByLabel("Incoming webhook URL").fill(`http://127.0.0.1:${port}/hooks/T000/B000`);
    await f.getByLabel("critical", { exact: true }).check();
    await f.getByLabel("HOST_FAILED", { exact: true }).check();
    await f.getByRole("button", { name: "Create channel" }).click();
    const ch = n.channel(name);
    await expect(ch).toContainText(`http://127.0.0.1:${port}/…`);
    await expect(ch).toContainText("HOST_FAILED · critical");
    await expect(ch).not.toContainText("T000/B000"); // the webhook path is a secret: never shown again

    await ch.getByRole("button", { name: "Send test" }).click();
    await expect(n.note()).toHaveText(`Test notification delivered to ${name}`);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0].body).text).toContain("Test notification from Haven");

    // A webhook whose receiver is down: the secret is shown once, the test fails with the reason.
    const hookName = `hook ${Date.now()}`;
    f = await n.newChannel();
    await f.getByLabel("Name").fill(hookName);
    await f.getByLabel("Webhook URL").fill(`http://127.0.0.1:${downPort}/haven`);
    await f.getByRole("button", { name: "Create channel" }).click();
    await expect(page.getByTestId("webhook-secret")).toContainText(/whsec_[A-Za-z0-9+/=]{20,}/);
    const hook = n.channel(hookName);
    await hook.getByRole("button", { name: "Send test" }).click();
    await expect(n.note()).toContainText(`Test to ${hookName} failed: POST http://127.0.0.1:${downPort} failed: ECONNREFUSED`);
    await expect(hook.getByTestId("channel-last-error")).toContainText("ECONNREFUSED");
    await expect(page.getByRole("table", { name: "Latest deliveries" }).getByRole("row").filter({ hasText: hookName }).first()).toContainText("failed");
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});
