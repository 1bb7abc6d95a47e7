// The simulated agents' HTTP transport is the real agent's protocol client (one implementation of
// register/heartbeat/commands/ack over HTTP): same requests, same error classes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeConsole } from "@/tests/support/fake-agent-env";
import { ConsoleHttpError, ConsoleUnreachableError as ClientUnreachable } from "@/lib/agent/protocol-client";
import { AgentHttpError, httpTransport } from "./http-transport";
import { ConsoleUnreachableError } from "./transport";

let console_: FakeConsole;
beforeEach(async () => {
  console_ = new FakeConsole("h1");
  await console_.start();
});
afterEach(async () => {
  await console_.close();
});

describe("simulated agent over HTTP", () => {
  it("registers with the admin's token, keeps the answer's token for the host, speaks the protocol through the shared client", async () => {
    const calls: string[] = [];
    const t = httpTransport({ url: console_.url, tokens: new Map([["h1", "issued-token"]]), onCall: (op, _ms, status) => calls.push(`${op}:${status}`) });
    const r = await t.register({ hostName: "h1", agentVersion: "sim-1", nics: [{ name: "ens1f0", linkUp: true }] });
    expect(r.hostId).toBe("host-1");
    expect(t.tokens.get("h1")).toBe(r.token);
    expect(console_.state.registrations[0]).toMatchObject({ token: "issued-token", body: { hostName: "h1", agentVersion: "sim-1" } });
    console_.send({ id: "c1", kind: "stop-vm", vmId: "vm-1", generation: 1, payload: { vmName: "web-1", reason: "stale" } });
    const hb = await t.heartbeat(r.token, { hostId: "host-1", seq: 0, vms: [] });
    expect(hb.commandsPending).toBe(true);
    expect((await t.fetchCommands(r.token)).commands.map((c) => c.id)).toEqual(["c1"]);
    await t.ack(r.token, { hostId: "host-1", commandId: "c1", status: "done" });
    expect(console_.state.acks).toEqual([{ hostId: "host-1", commandId: "c1", status: "done" }]);
    expect(calls).toEqual(["register:200", "heartbeat:200", "commands:200", "ack:200"]);
  });

  it("a refusal is the client's ConsoleHttpError (401 without a token); a dead console is the client's ConsoleUnreachableError", async () => {
    console_.current = "agent-token-0"; // (the fake takes a missing token for its unset current one)
    const t = httpTransport({ url: console_.url, tokens: new Map(), timeoutMs: 500 });
    const refused = await t.register({ hostName: "h1" }).catch((e) => e);
    expect(refused).toBeInstanceOf(AgentHttpError);
    expect(refused).toBeInstanceOf(ConsoleHttpError);
    expect(refused.status).toBe(401);
    expect(console_.state.registrations[0].token).toBeNull(); // no "Bearer " with an empty token
    console_.down = 503;
    const down = await t.heartbeat("x", { hostId: "host-1", seq: 0, vms: [] }).catch((e) => e);
    expect(down).toBeInstanceOf(ConsoleUnreachableError);
    expect(down).toBeInstanceOf(ClientUnreachable);
    await console_.close();
    const gone = await t.fetchCommands("x").catch((e) => e);
    expect(gone).toBeInstanceOf(ConsoleUnreachableError);
  });
});
