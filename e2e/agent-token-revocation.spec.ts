// Agent tokens through the production server on both ports: the console's port (Next route
// handlers, which forward to the HA controller's process) and the dedicated agent listener
// (HAVEN_AGENT_PORT, in the controller's process). A rotated or revoked token stops working at
// once on both, cannot register and mint a new token, and stays dead after the controller process
// is killed and restarted. The red team found the old token kept working (a module-level cache
// duplicated by the bundler); this is the check from outside.
import { execFileSync } from "node:child_process";
import { expect, test, type APIRequestContext } from "@playwright/test";

const AGENT_PORT = Number(process.env.E2E_AGENT_PORT);
const agentBase = `http://127.0.0.1:${AGENT_PORT}`;

async function createHost(page: import("@playwright/test").Page, name: string): Promise<string> {
  await page.goto("/hosts/new");
  const form = page.getByRole("form", { name: "New host" });
  await expect(form).toHaveAttribute("data-ready", "true");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("CPUs", { exact: true }).fill("16");
  await form.getByLabel("Memory (GiB)").fill("64");
  await form.getByRole("button", { name: "Create host" }).click();
  await expect(page).toHaveURL(/\/hosts\/(?!new$)[^/]+$/);
  return page.url().split("/").pop()!;
}

function heartbeat(request: APIRequestContext, base: string, token: string, hostId: string, seq: number) {
  return request.post(`${base}/api/agent/v1/heartbeat`, { headers: { authorization: `Bearer ${token}` }, data: { hostId, seq, vms: [], nics: [] } });
}

function controllerPid(): number | null {
  try {
    const out = execFileSync("pgrep", ["-f", "lib/server/control/main.ts"], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
    // The e2e console's controller: its environment names the e2e port.
    for (const pid of out) {
      const env = execFileSync("cat", [`/proc/${pid}/environ`], { encoding: "utf8" }).split("\0");
      if (env.includes(`HAVEN_AGENT_PORT=${AGENT_PORT}`)) return Number(pid);
    }
  } catch {
    /* none */
  }
  return null;
}

test.describe("agent tokens on both ports", () => {
  test("a rotated or revoked token stops at once on the console's port and the agent listener, also after a controller restart", async ({ page, baseURL }) => {
    test.setTimeout(90_000);
    expect(AGENT_PORT, "E2E_AGENT_PORT is set by playwright.config.ts").toBeGreaterThan(0);
    const name = `tok-e2e-${Date.now().toString(36)}`;
    const hostId = await createHost(page, name);
    const request = page.request;
    const admin = { headers: { origin: baseURL! } };
    const issue = async () => {
      const r = await request.post(`/api/v1/hosts/${hostId}/agent-token`, admin);
      expect(r.status()).toBe(201);
      return (await r.json()).token as string;
    };
    const t1 = await issue();
    let seq = 1;
    // The controller learns of the new host on its next resync: retry briefly.
    await expect.poll(async () => (await heartbeat(request, baseURL!, t1, hostId, seq++)).status(), { timeout: 10_000 }).toBe(200);
    expect((await heartbeat(request, agentBase, t1, hostId, seq++)).status()).toBe(200);

    // Rotation: the old token is refused on both ports at once; the new one works.
    const t2 = await issue();
    for (const base of [baseURL!, agentBase]) {
      const r = await heartbeat(request, base, t1, hostId, seq++);
      expect(r.status(), `old token on ${base}`).toBe(401);
      expect(r.headers()["content-type"]).toBe("application/problem+json");
      expect((await request.get(`${base}/api/agent/v1/commands`, { headers: { authorization: `Bearer ${t1}` } })).status()).toBe(401);
      expect((await request.post(`${base}/api/agent/v1/register`, { headers: { authorization: `Bearer ${t1}` }, data: { hostName: name } })).status()).toBe(401);
      expect((await heartbeat(request, base, t2, hostId, seq++)).status(), `new token on ${base}`).toBe(200);
    }

    // Revocation: nothing works any more, registration included (no new token can be minted).
    const del = await request.delete(`/api/v1/hosts/${hostId}/agent-token`, admin);
    expect(del.status()).toBe(200);
    expect((await del.json()).revoked).toBe(true);
    for (const base of [baseURL!, agentBase]) {
      expect((await heartbeat(request, base, t2, hostId, seq++)).status(), `revoked token on ${base}`).toBe(401);
      const reg = await request.post(`${base}/api/agent/v1/register`, { headers: { authorization: `Bearer ${t2}` }, data: { hostName: name } });
      expect(reg.status()).toBe(401);
    }

    // kill -9 of the controller process: the console restarts it; the revoked token stays dead.
    const pid = controllerPid();
    expect(pid, "the e2e console's controller process").not.toBeNull();
    process.kill(pid!, "SIGKILL");
    await expect
      .poll(async () => {
        const h = await request.get("/api/health");
        const body = await h.json().catch(() => ({}));
        return h.status() === 200 && body.controllerProcess?.pid !== pid;
      }, { timeout: 30_000 })
      .toBe(true);
    await expect.poll(async () => (await request.get(`${agentBase}/api/health`).catch(() => null))?.status() ?? 0, { timeout: 20_000 }).toBe(200);
    for (const base of [baseURL!, agentBase]) expect((await heartbeat(request, base, t2, hostId, seq++)).status(), `after restart on ${base}`).toBe(401);
    const t3 = await issue();
    for (const base of [baseURL!, agentBase]) expect((await heartbeat(request, base, t3, hostId, seq++)).status(), `fresh token on ${base}`).toBe(200);
    await request.delete(`/api/v1/hosts/${hostId}/agent-token`, admin);
  });
});
