// Test doubles for the real agent's loop (lib/agent/agent.ts): a console that speaks the agent
// protocol over HTTP with scripted answers, and an in-memory hypervisor that keeps domains by their
// Haven metadata like libvirt does (several "hosts" may share it).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseMetadata, type HavenMeta } from "@/lib/agent/domain-xml";
import type { Hypervisor, LifecycleEvent, OwnedDomain } from "@/lib/agent/libvirt";
import type { TAgentCommand, TCommandAck, THeartbeat, TRegisterRequest } from "@/lib/schemas/agent";

export class FakeHypervisor implements Hypervisor {
  readonly domains = new Map<string, { uuid: string; name: string; meta: HavenMeta | null; xml: string }>();
  private listeners = new Set<(e: LifecycleEvent) => void>();
  created: string[] = [];
  destroyed: string[] = [];
  /** Make every call fail (libvirt down). */
  broken = false;
  /** Make create fail with this libvirt message. */
  createError: string | null = null;

  private check(): void {
    if (this.broken) throw new Error("Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused");
  }
  /** Every listing takes this long (a busy host's libvirt). */
  listDelayMs = 0;
  async listOwned(host: string): Promise<OwnedDomain[]> {
    this.check();
    if (this.listDelayMs) await new Promise((r) => setTimeout(r, this.listDelayMs));
    this.check();
    return [...this.domains.values()].filter((d) => d.meta?.host === host).map((d) => ({ uuid: d.uuid, name: d.name, meta: d.meta! }));
  }
  async create(xml: string): Promise<void> {
    this.check();
    if (this.createError) throw new Error(this.createError);
    const uuid = /<uuid>([^<]+)<\/uuid>/.exec(xml)![1];
    const name = /<name>([^<]+)<\/name>/.exec(xml)![1];
    if ([...this.domains.values()].some((d) => d.name === name)) throw new Error(`operation failed: domain '${name}' already exists with uuid ${uuid}`);
    this.domains.set(uuid, { uuid, name, meta: parseMetadata(xml), xml });
    this.created.push(name);
    this.emit({ domain: name, event: "Started", detail: "Booted" });
  }
  async destroy(uuid: string): Promise<void> {
    this.check();
    const d = this.domains.get(uuid);
    if (!d) return;
    this.domains.delete(uuid);
    this.destroyed.push(d.name);
    this.emit({ domain: d.name, event: "Stopped", detail: "Destroyed" });
  }
  async shutdown(uuid: string): Promise<void> {
    await this.destroy(uuid);
  }
  async dumpXml(uuid: string): Promise<string> {
    this.check();
    const d = this.domains.get(uuid);
    if (!d) throw new Error(`Domain not found: no domain with matching uuid '${uuid}'`);
    return d.xml;
  }
  /** Live migration within this shared fake libvirt ("fake://self" is the same libvirt: refused as libvirt does). */
  migrations: { name: string; dest: string }[] = [];
  async migrate(uuid: string, dest: string, xml: string): Promise<void> {
    this.check();
    if (dest === "fake://self") throw new Error("internal error: Attempt to migrate guest to the same host 00000000-0000-0000-0000-000000000001");
    const d = this.domains.get(uuid);
    if (!d) throw new Error(`Domain not found: no domain with matching uuid '${uuid}'`);
    this.domains.set(uuid, { ...d, meta: parseMetadata(xml), xml });
    this.migrations.push({ name: d.name, dest });
  }
  watch(onEvent: (e: LifecycleEvent) => void): () => void {
    this.listeners.add(onEvent);
    return () => this.listeners.delete(onEvent);
  }
  private emit(e: LifecycleEvent): void {
    for (const l of this.listeners) queueMicrotask(() => l(e));
  }
  /** A guest dies on its own (kill -9 of its QEMU). */
  crash(name: string): void {
    const d = [...this.domains.values()].find((x) => x.name === name);
    if (!d) throw new Error(`no domain ${name}`);
    this.domains.delete(d.uuid);
    this.emit({ domain: name, event: "Stopped", detail: "Failed" });
  }
  /** A domain someone else created (no Haven metadata, or another host's). */
  addForeign(name: string, meta: HavenMeta | null): void {
    const uuid = `00000000-0000-4000-8000-${String(this.domains.size).padStart(12, "0")}`;
    this.domains.set(uuid, { uuid, name, meta, xml: "" });
  }
  running(host: string): { vmId: string; generation: number; name: string }[] {
    return [...this.domains.values()].filter((d) => d.meta?.host === host).map((d) => ({ vmId: d.meta!.vmId, generation: d.meta!.generation, name: d.name }));
  }
}

export interface FakeConsoleState {
  registrations: { token: string | null; body: TRegisterRequest }[];
  heartbeats: { at: number; body: THeartbeat }[];
  acks: TCommandAck[];
  fetches: number;
}

/** A console answering the agent protocol: one host, commands queued by the test. */
export class FakeConsole {
  readonly state: FakeConsoleState = { registrations: [], heartbeats: [], acks: [], fetches: 0 };
  private server: http.Server | null = null;
  private queue: TAgentCommand[] = [];
  url = "";
  /** Tokens accepted for registration; the current agent token after it. */
  issued: string;
  current: string | null = null;
  /** Answer everything with this status (503: the console is down for the agent). */
  down: number | null = null;
  timings = { heartbeatS: 0.1, isolationTimeoutS: 0.6, vmStartS: 1 };
  isolationResponse: "power-off" | "none" = "power-off";
  /** Added to every registration answer (e.g. a reconciliation summary: `inventory`). */
  registerExtra: Record<string, unknown> = {};
  private n = 0;

  constructor(
    readonly hostName: string,
    issued = "issued-token",
  ) {
    this.issued = issued;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => this.handle(req, res, body));
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  send(c: TAgentCommand): void {
    this.queue.push(c);
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json" });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    if (this.down) return this.json(res, this.down, { title: "down" });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? null;
    const body = raw ? JSON.parse(raw) : null;
    if (req.url === "/api/agent/v1/register") {
      this.state.registrations.push({ token, body });
      if (token !== this.issued && token !== this.current) return this.json(res, 401, { title: "Unauthorized", detail: "Unknown agent token" });
      if (body.hostName !== this.hostName) return this.json(res, 403, { title: "Forbidden" });
      this.current = `agent-token-${++this.n}`;
      this.issued = "used";
      return this.json(res, 200, { hostId: "host-1", token: this.current, ...this.timings, isolationResponse: this.isolationResponse, ...this.registerExtra });
    }
    if (token !== this.current) return this.json(res, 401, { title: "Unauthorized" });
    if (req.url === "/api/agent/v1/heartbeat") {
      this.state.heartbeats.push({ at: Date.now(), body });
      return this.json(res, 200, { ok: true, commandsPending: this.queue.length > 0, serverTime: Date.now() });
    }
    if (req.url === "/api/agent/v1/commands") {
      this.state.fetches++;
      const commands = this.queue;
      this.queue = [];
      return this.json(res, 200, { commands });
    }
    const ack = /^\/api\/agent\/v1\/commands\/([^/]+)\/ack$/.exec(req.url ?? "");
    if (ack) {
      this.state.acks.push(body);
      return this.json(res, 200, { ok: true, duplicate: false });
    }
    this.json(res, 404, { title: "Not found" });
  }

  lastHeartbeat(): THeartbeat | undefined {
    return this.state.heartbeats.at(-1)?.body;
  }

  ackOf(commandId: string): TCommandAck | undefined {
    return this.state.acks.find((a) => a.commandId === commandId);
  }
}

/** Polls until `fn` is truthy (or throws after `timeoutMs`). */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = "condition"): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
