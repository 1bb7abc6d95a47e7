// The real host agent's loop: register with the discovered inventory, heartbeat at the console's
// interval, fetch and execute start/stop commands through the hypervisor driver, acknowledge them,
// report a guest that stops on its own at once (libvirt lifecycle events), and apply the isolation
// response: once it has not reached the console for the isolation timeout it powers off every guest
// it owns except those that opted out (keepRunningWhenIsolated in the start
// command) — the console waits longer than that before it starts them elsewhere.
//
// It only ever touches domains whose Haven metadata names its host (lib/agent/domain-xml.ts).
import { MAX_AGENT_GPUS, MAX_AGENT_NICS, MAX_COMMANDS_SEEN, type TAgentCommand, type TCommandAck, type TRegisterRequest, type TRegisterResponse, type TStartVmPayload } from "../schemas/agent";
import { buildDomainXml, PlanError, retagMetadata, type DevicePrep, type DomainSpec, type StartCommandLike } from "./domain-xml";
import type { HostInventory } from "./discover";
import { explainMigrateError, explainStartError, type Hypervisor, type OwnedDomain } from "./libvirt";
import { ConsoleHttpError, ConsoleUnreachableError, type ProtocolClient } from "./protocol-client";
import type { Logger } from "./log";
import type { Watchdog } from "./watchdog";

export interface TokenStore {
  load(): string | null;
  save(token: string): void;
}

export interface AgentTimings {
  heartbeatMs: number;
  isolationTimeoutMs: number;
}

export interface AgentOptions {
  host: string;
  client: ProtocolClient;
  hypervisor: Hypervisor;
  /**
   * The token an admin issued (used when the store has none, or the stored one is refused): a
   * string, or a function read at every registration attempt (a token file an admin may replace).
   */
  token: string | (() => string);
  tokenStore?: TokenStore;
  /** Discovery (re-run at every registration). */
  inventory: () => HostInventory;
  /** Link state of the host's NICs now. */
  links: (names: string[]) => { name: string; linkUp: boolean }[];
  plan: (cmd: StartCommandLike) => { spec: DomainSpec; prep: DevicePrep };
  prepareDevices?: (prep: DevicePrep) => Promise<void>;
  /**
   * The libvirt URI of another host for live migration ("qemu+ssh://{host}/system" from
   * --migrate-uri); null or absent: migrate-vm commands are acknowledged failed, saying why.
   */
  migrateUri?: ((hostName: string) => string) | null;
  /** Print each start's domain XML instead of starting it (the start is acknowledged failed). */
  dryRun?: boolean;
  print?: (text: string) => void;
  watchdog?: Watchdog | null;
  log: Logger;
  /** Until the console says otherwise (or from the last registration). */
  timings?: Partial<AgentTimings>;
  /** Graceful stop (ACPI shutdown) for power-off and maintenance stops before destroying; 0 = destroy at once. */
  stopTimeoutMs?: number;
  agentVersion?: string;
  /**
   * Ask the console to reconcile its inventory with the discovered one (default true): devices it
   * lacks are shown as discovered, devices it has that this host no longer has are marked missing.
   */
  reconcile?: boolean;
  /** With reconcile, on a host whose inventory has no devices yet: the console adds every device found. */
  autoAdd?: boolean;
  onRegistered?: (r: { hostId: string; timings: AgentTimings }) => void;
  /** After a registration gave the devices the console's names (GPU names to keep in the state file). */
  onInventory?: (inv: HostInventory) => void;
  /** The main loop's period (default 100 ms). */
  tickMs?: number;
  now?: () => number;
}

type VmTask = () => Promise<void>;

export class HostAgent {
  private token: string;
  hostId: string | null = null;
  timings: AgentTimings;
  isolationResponse: "power-off" | "none" = "power-off";
  private seq = 0;
  private lastContact: number;
  private nextHeartbeat = 0;
  private heartbeatBusy = false;
  private heartbeatAgain = false;
  private registerBusy = false;
  private nextRegister = 0;
  private outbox: TCommandAck[] = [];
  private received: string[] = [];
  private domains: OwnedDomain[] = [];
  /** When the kept listing was taken (its call started). */
  private domainsAt = 0;
  private bgRefresh = false;
  /** The last background listing failed (libvirt down): heartbeats wait for a listing that works. */
  private listingFailed = false;
  private starting = new Map<string, { generation: number; commandId: string }>();
  private vmQueues = new Map<string, Promise<void>>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopWatch: (() => void) | null = null;
  private nicNames: string[] = [];
  /** Local interface name → the console's name for the NIC (when they differ: a card that moved). */
  private nicConsoleName = new Map<string, string>();
  private heartbeatsSinceFetch = 0;
  /** Isolated: the console has not been reached for the isolation timeout. */
  isolated = false;
  private fenceBusy = false;
  private lastFence = 0;
  private fenceFailing = false;
  private lastRefusal = "";
  readonly stats = { heartbeats: 0, heartbeatFailures: 0, starts: 0, startFailures: 0, stops: 0, crashesReported: 0, isolationPowerOffs: 0 };
  private readonly now: () => number;

  constructor(private readonly o: AgentOptions) {
    this.now = o.now ?? Date.now;
    this.token = o.tokenStore?.load() ?? this.issuedToken();
    this.timings = { heartbeatMs: o.timings?.heartbeatMs ?? 1000, isolationTimeoutMs: o.timings?.isolationTimeoutMs ?? 20_000 };
    this.lastContact = this.now();
  }

  private issuedToken(): string {
    try {
      return (typeof this.o.token === "function" ? this.o.token() : this.o.token).trim();
    } catch {
      return "";
    }
  }

  get registered(): boolean {
    return this.hostId !== null;
  }

  /** Starts the loop and the event watch. */
  start(): void {
    this.lastContact = this.now();
    this.stopWatch = this.o.hypervisor.watch(
      (e) => {
        if (e.event !== "Stopped" || !this.domains.some((d) => d.name === e.domain)) return;
        // Gone: out of the listing at once (a listing started before the event must not bring it
        // back), and reported by a heartbeat now rather than at the next one.
        this.domains = this.domains.filter((d) => d.name !== e.domain);
        this.domainsAt = this.now();
        if (e.detail !== "Destroyed") {
          this.stats.crashesReported++;
          this.o.log.warn(`guest ${e.domain} stopped on its own (${e.event} ${e.detail}): reporting now`);
        }
        this.heartbeatNow();
      },
      (err) => this.o.log.warn(`libvirt events: ${err.message}`),
    );
    this.timer = setInterval(() => void this.tick(), this.o.tickMs ?? 100);
    void this.tick();
  }

  /** Stops the loop (guests keep running). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopWatch?.();
    this.stopWatch = null;
    await Promise.allSettled([...this.vmQueues.values()]);
    this.o.watchdog?.close();
  }

  /** A heartbeat as soon as possible (a guest stopped). */
  heartbeatNow(): void {
    this.nextHeartbeat = 0;
    void this.tick();
  }

  private async tick(): Promise<void> {
    const now = this.now();
    this.isolationCheck(now);
    this.petWatchdog();
    if (!this.registered) {
      if (!this.registerBusy && now >= this.nextRegister) void this.register();
      return;
    }
    if (now >= this.nextHeartbeat) {
      this.nextHeartbeat = now + this.timings.heartbeatMs;
      void this.heartbeat();
    } else this.backgroundRefresh(now);
  }

  /**
   * The console answered a call sent at `sentAt`. The isolation clock counts from the sending: the
   * console heard the agent at or after it, so the agent never fences later than the console's
   * failure detector assumes (a slow answer must not stretch the isolation timeout).
   */
  private contact(sentAt: number): void {
    this.lastContact = Math.max(this.lastContact, sentAt);
    if (this.isolated && this.now() - this.lastContact < this.timings.isolationTimeoutMs) {
      this.isolated = false;
      this.fenceFailing = false;
      this.o.log.info("console reached again: isolation over");
    }
  }

  private refusal(what: string, e: unknown): void {
    const msg = `${what}: ${(e as Error).message}`;
    if (msg !== this.lastRefusal) this.o.log.warn(msg);
    this.lastRefusal = msg;
  }

  // ------------------------------------------------------------------ registration

  registrationRequest(inv: HostInventory): TRegisterRequest {
    return {
      hostName: this.o.host,
      agentVersion: this.o.agentVersion?.slice(0, 64),
      gpus: inv.gpus.slice(0, MAX_AGENT_GPUS).map((g) => {
        const profile = g.vgpuProfile ? g.vgpuTypes.find((t) => t.profile === g.vgpuProfile) : undefined;
        return {
          name: (g.name ?? g.pciAddress).slice(0, 64),
          model: g.model.slice(0, 128),
          pciAddress: g.pciAddress,
          // A 3D controller (class 0x0302: A100, H100, L4 …) is a compute card; a VGA one graphics.
          mode: g.classCode.startsWith("0302") ? ("compute" as const) : ("graphics" as const),
          identity: g.identity.slice(0, 200),
          vendor: g.vendor?.slice(0, 128) ?? null,
          ...(g.vgpuProfile ? { vgpuProfile: g.vgpuProfile.slice(0, 64), vgpuSlots: Math.min(64, g.vgpuInstances + (profile?.available ?? 0)) } : {}),
        };
      }),
      nics: inv.nics.slice(0, MAX_AGENT_NICS).map((n) => ({
        name: n.name.slice(0, 64),
        linkUp: n.linkUp,
        ...(n.sriov ? { sriovVfs: Math.min(256, n.sriov.numVfs) } : {}),
        bond: n.bond,
        identity: n.identity.slice(0, 200),
        pciAddress: n.pciAddress,
        model: n.model?.slice(0, 128) ?? null,
        speedMbps: n.speedMbps,
      })),
      ...(this.o.reconcile === false ? {} : { reconcile: true, ...(this.o.autoAdd ? { autoAdd: true } : {}) }),
    };
  }

  /**
   * The console's names for the devices it matched (by identity) replace the host's own: start
   * commands name devices as the console does. GPUs are renamed in the inventory the planner reads;
   * a NIC is known to the console by its name, so its heartbeat link state goes out under that name.
   */
  private applyConsoleNames(inv: HostInventory, r: TRegisterResponse): void {
    const s = r.inventory;
    if (!s) return;
    // A device the console does not know must not keep a name the console gives another one (a
    // start naming it would take the wrong card): it goes by a name the console never uses.
    const gpuName = new Map(s.gpus.map((d) => [d.identity, d.name]));
    const gpuNames = new Set(gpuName.values());
    for (const g of inv.gpus) {
      const n = gpuName.get(g.identity);
      if (n) g.name = n;
      else if (g.name && gpuNames.has(g.name)) g.name = `${g.name}~new@${g.pciAddress}`.slice(0, 64);
    }
    const nicName = new Map(s.nics.map((d) => [d.identity, d.name]));
    const nicNames = new Set(nicName.values());
    this.nicConsoleName = new Map();
    for (const n of inv.nics) {
      const c = nicName.get(n.identity) ?? (nicNames.has(n.name) ? `${n.name}~new`.slice(0, 64) : undefined);
      if (c && c !== n.name) {
        this.nicConsoleName.set(n.name, c);
        n.name = c;
      }
    }
    const say = [
      s.added.length ? `added ${s.added.join(", ")}` : "",
      s.discovered.length ? `found, not in the console's inventory (add them on the host page): ${s.discovered.join(", ")}` : "",
      s.missing.length ? `in the inventory, not on this host (marked missing): ${s.missing.join(", ")}` : "",
      s.back.length ? `seen again: ${s.back.join(", ")}` : "",
      s.autoAddSkipped ?? "",
    ].filter(Boolean);
    if (say.length) (s.missing.length ? this.o.log.warn : this.o.log.info).call(this.o.log, `inventory: ${say.join("; ")}`);
    this.o.onInventory?.(inv);
  }

  private async register(): Promise<void> {
    this.registerBusy = true;
    try {
      const inv = this.o.inventory();
      this.nicNames = inv.nics.map((n) => n.name);
      const req = this.registrationRequest(inv);
      const tokens = [...new Set([this.token, this.issuedToken()])].filter(Boolean);
      let lastErr: unknown = tokens.length ? null : new Error("no agent token yet (--token, --token-file or HAVEN_AGENT_TOKEN)");
      for (const t of tokens) {
        try {
          const sent = this.now();
          const r = await this.o.client.register(t, req);
          this.token = r.token;
          this.o.tokenStore?.save(r.token);
          this.hostId = r.hostId;
          this.applyConsoleNames(inv, r);
          this.timings = { heartbeatMs: r.heartbeatS * 1000, isolationTimeoutMs: r.isolationTimeoutS * 1000 };
          this.isolationResponse = r.isolationResponse ?? "power-off";
          // Registering again (a replaced token) is not a new run: seq goes on and the commands
          // in hand stay in commandsSeen. Only a new process starts again from 0.
          this.nextHeartbeat = 0;
          this.contact(sent);
          this.lastRefusal = "";
          this.o.onRegistered?.({ hostId: r.hostId, timings: this.timings });
          this.o.log.info(`registered as ${this.o.host} (${r.hostId}): heartbeat ${r.heartbeatS}s, isolation ${r.isolationTimeoutS}s (${this.isolationResponse}), ${inv.gpus.length} GPUs, ${inv.nics.length} NICs`);
          return;
        } catch (e) {
          lastErr = e;
          if (e instanceof ConsoleUnreachableError) break;
        }
      }
      this.refusal("registration failed", lastErr);
      this.nextRegister = this.now() + Math.min(2000, Math.max(500, this.timings.heartbeatMs));
    } finally {
      this.registerBusy = false;
    }
  }

  // ------------------------------------------------------------------ heartbeat and commands

  /**
   * The owned domains now. The result is kept for heartbeats only when no later listing has been
   * kept meanwhile (a slow background listing must not undo the listing taken after a start).
   */
  private async refreshDomains(): Promise<OwnedDomain[]> {
    const started = this.now();
    const list = await this.o.hypervisor.listOwned(this.o.host);
    if (started >= this.domainsAt) {
      this.domains = list;
      this.domainsAt = started;
    }
    return list;
  }

  /** Keeps the listing fresh between heartbeats, so a heartbeat leaves on time without waiting for virsh. */
  private backgroundRefresh(now: number): void {
    if (this.bgRefresh || now - this.domainsAt < this.timings.heartbeatMs) return;
    this.bgRefresh = true;
    this.refreshDomains()
      .then(
        () => {
          this.listingFailed = false;
        },
        (e) => {
          this.listingFailed = true;
          this.refusal("libvirt listing failed", e);
        },
      )
      .finally(() => {
        this.bgRefresh = false;
      });
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatBusy) {
      this.heartbeatAgain = true;
      return;
    }
    this.heartbeatBusy = true;
    const t0 = this.now();
    let listedMs = 0;
    try {
      let domains = this.domains;
      try {
        // The listing kept fresh in the background (and edited by lifecycle events) is what runs: a
        // heartbeat never waits for a slow libvirt (a busy host must not miss heartbeats and fence
        // itself for it). Only before the first listing, or while listings fail, it lists first.
        if (this.domainsAt === 0 || this.listingFailed) {
          domains = await this.refreshDomains();
          this.listingFailed = false;
          listedMs = this.now() - t0;
        }
      } catch (e) {
        // Without libvirt the agent cannot say what runs: no heartbeat (the console will see the host
        // go silent rather than hear a wrong "nothing runs here").
        this.refusal("libvirt unavailable, heartbeat held back", e);
        return;
      }
      const vms = new Map<string, { vmId: string; generation: number; state: "running" | "starting" }>();
      for (const d of domains) {
        const cur = vms.get(d.meta.vmId);
        if (!cur || cur.generation < d.meta.generation) vms.set(d.meta.vmId, { vmId: d.meta.vmId, generation: d.meta.generation, state: "running" });
      }
      for (const [vmId, s] of this.starting) if (!vms.has(vmId)) vms.set(vmId, { vmId, generation: s.generation, state: "starting" });
      const hb = {
        hostId: this.hostId!,
        seq: this.seq++,
        vms: [...vms.values()].slice(0, 512),
        nics: this.o.links(this.nicNames).slice(0, 64).map((l) => ({ name: this.nicConsoleName.get(l.name) ?? l.name, linkUp: l.linkUp })),
        commandsSeen: this.received.slice(-MAX_COMMANDS_SEEN),
      };
      let pending = false;
      try {
        const sent = this.now();
        const r = await this.o.client.heartbeat(this.token, hb);
        this.stats.heartbeats++;
        this.contact(sent);
        pending = r.commandsPending;
        const took = this.now() - t0;
        if (took > this.timings.heartbeatMs) this.o.log.warn(`slow heartbeat ${hb.seq}: ${took} ms (libvirt listing ${listedMs} ms, console ${this.now() - sent} ms)`);
      } catch (e) {
        this.stats.heartbeatFailures++;
        if (e instanceof ConsoleHttpError && (e.status === 401 || e.status === 404)) {
          // Token replaced or revoked, or the console does not know this host (yet): register again.
          this.refusal("heartbeat refused", e);
          this.hostId = null;
        } else this.refusal(e instanceof ConsoleHttpError && e.status === 429 ? "heartbeat refused (rate limit)" : "heartbeat failed", e);
        return;
      }
      if (pending || ++this.heartbeatsSinceFetch >= 10) await this.fetchAndRun();
      await this.flush();
    } finally {
      this.heartbeatBusy = false;
      if (this.heartbeatAgain) {
        this.heartbeatAgain = false;
        void this.heartbeat();
      }
    }
  }

  private async fetchAndRun(): Promise<void> {
    this.heartbeatsSinceFetch = 0;
    let cmds: TAgentCommand[];
    try {
      const sent = this.now();
      cmds = (await this.o.client.fetchCommands(this.token)).commands;
      this.contact(sent);
    } catch (e) {
      this.refusal("fetching commands failed", e);
      return;
    }
    for (const c of cmds) this.accept(c);
  }

  /**
   * Sends the acknowledgements waiting, oldest first — one flush at a time (answers finishing
   * together must not send one ack twice and drop the one behind it).
   */
  private flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.flushOnce();
        } while (this.flushAgain && this.outbox.length && this.registered);
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    while (this.outbox.length && this.registered) {
      const ack = this.outbox[0];
      try {
        const sent = this.now();
        await this.o.client.ack(this.token, ack);
        this.contact(sent);
      } catch (e) {
        if (e instanceof ConsoleUnreachableError) return;
        // Refused (a voided command, say): dropped.
        this.o.log.warn(`ack of ${ack.commandId} refused: ${(e as Error).message}`);
      }
      this.outbox.shift();
      const i = this.received.indexOf(ack.commandId);
      if (i >= 0) this.received.splice(i, 1);
    }
  }

  private answer(c: TAgentCommand, status: "done" | "failed", error?: string): void {
    this.outbox.push({ hostId: this.hostId!, commandId: c.id, status, ...(error ? { error: error.slice(0, 2000) } : {}) });
    void this.flush();
  }

  /** Takes a command: remembered as seen, run in order with the VM's other commands. */
  accept(c: TAgentCommand): void {
    if (!this.received.includes(c.id)) {
      this.received.push(c.id);
      if (this.received.length > MAX_COMMANDS_SEEN) this.received.shift();
    }
    if (c.kind === "start-vm") this.starting.set(c.vmId, { generation: Math.max(c.generation, this.starting.get(c.vmId)?.generation ?? 0), commandId: c.id });
    this.enqueue(c.vmId, () => this.execute(c));
  }

  private enqueue(vmId: string, task: VmTask): void {
    const prev = this.vmQueues.get(vmId) ?? Promise.resolve();
    const next = prev.then(task).catch((e) => this.o.log.error(`command for ${vmId} failed: ${(e as Error).stack ?? e}`));
    this.vmQueues.set(vmId, next);
    void next.finally(() => {
      if (this.vmQueues.get(vmId) === next) this.vmQueues.delete(vmId);
    });
  }

  private async execute(c: TAgentCommand): Promise<void> {
    if (c.kind === "start-vm") return this.startVm(c);
    if (c.kind === "stop-vm") return this.stopVm(c.vmId, c.generation, c.payload.reason, () => this.answer(c, "done"));
    return this.migrateVm(c);
  }

  /**
   * Live migration (libvirt's, peer to peer through the source): the guest goes to the target
   * host's libvirt with its Haven metadata retagged (the target's name, the migration's generation),
   * so the target agent owns and reports it from its next listing; acknowledged done once libvirt
   * has moved it. Needs shared storage and a target URI (--migrate-uri); guests with passthrough
   * devices cannot move live.
   */
  private async migrateVm(c: Extract<TAgentCommand, { kind: "migrate-vm" }>): Promise<void> {
    const to = c.payload.toHostName;
    const hv = this.o.hypervisor;
    if (!this.o.migrateUri || !hv.migrate || !hv.dumpXml) {
      this.answer(c, "failed", `live migration is not configured on ${this.o.host}: start haven-agent with --migrate-uri (e.g. qemu+ssh://{host}/system)`);
      return;
    }
    const copies = (await this.refreshDomains()).filter((d) => d.meta.vmId === c.vmId).sort((a, b) => b.meta.generation - a.meta.generation);
    const d = copies[0];
    if (!d) {
      this.answer(c, "failed", `${c.payload.vmName} is not running on ${this.o.host}`);
      return;
    }
    const dest = this.o.migrateUri(to);
    try {
      const xml = retagMetadata(await hv.dumpXml(d.uuid), { ...d.meta, host: to, generation: c.generation, commandId: c.id, keepRunningWhenIsolated: c.payload.keepRunningWhenIsolated === true });
      this.o.log.info(`migrating ${d.meta.vmName} (${c.vmId}) to ${to} (${dest}) as generation ${c.generation}`);
      await hv.migrate(d.uuid, dest, xml);
      this.forgetDomains([d.uuid]);
      this.answer(c, "done");
    } catch (e) {
      const msg = explainMigrateError(this.o.host, to, (e as Error).message);
      this.o.log.warn(`migration of ${d.meta.vmName} failed: ${msg}`);
      this.answer(c, "failed", msg);
    }
  }

  private async startVm(c: Extract<TAgentCommand, { kind: "start-vm" }>): Promise<void> {
    try {
      // The kept listing (fresh within a heartbeat, edited by lifecycle events and by this agent's
      // own creates and destroys) says whether a copy runs; only when it shows one, or cannot be
      // trusted (none yet, listings failing), is libvirt asked again — a start costs one virsh call.
      const trusted = this.domainsAt > 0 && !this.listingFailed;
      let copies = trusted ? this.domains.filter((d) => d.meta.vmId === c.vmId) : null;
      if (!copies || copies.length) copies = (await this.refreshDomains()).filter((d) => d.meta.vmId === c.vmId);
      if (copies.some((d) => d.meta.generation >= c.generation)) {
        this.answer(c, "done"); // already runs (a redelivered or repeated start)
        return;
      }
      // An older copy here is stale: it goes before the new generation starts.
      for (const d of copies) await this.o.hypervisor.destroy(d.uuid);
      if (copies.length) this.forgetDomains(copies.map((d) => d.uuid));
      let plan: { spec: DomainSpec; prep: DevicePrep };
      try {
        plan = this.o.plan(c as StartCommandLike);
      } catch (e) {
        this.stats.startFailures++;
        this.answer(c, "failed", e instanceof PlanError ? e.message : `could not build the domain: ${(e as Error).message}`);
        return;
      }
      const xml = buildDomainXml(plan.spec);
      if (this.o.dryRun) {
        this.o.print?.(`<!-- start-vm ${c.id}: ${c.payload.vmName} generation ${c.generation} -->\n${xml}`);
        this.answer(c, "failed", "dry run: the domain XML was printed, nothing was started");
        return;
      }
      try {
        if (this.o.prepareDevices && (plan.prep.mdevs.length || plan.prep.vfVgpuTypes.length)) await this.o.prepareDevices(plan.prep);
        await this.o.hypervisor.create(xml);
        this.stats.starts++;
        // Running now (create returns once QEMU runs the guest): into the kept listing at once, so
        // the next heartbeat reports it without listing again, and acknowledged at once.
        this.domains = [...this.domains.filter((d) => d.uuid !== plan.spec.uuid), { uuid: plan.spec.uuid, name: plan.spec.name, meta: plan.spec.meta }];
        this.domainsAt = Math.max(this.domainsAt, this.now());
        this.answer(c, "done");
        this.o.log.info(`started ${c.payload.vmName} (${c.vmId}) generation ${c.generation} as ${plan.spec.name} [${(c.payload as TStartVmPayload).purpose}]`);
      } catch (e) {
        this.stats.startFailures++;
        const msg = explainStartError(this.o.host, (e as Error).message);
        this.o.log.warn(`start of ${c.payload.vmName} failed: ${msg}`);
        this.answer(c, "failed", msg);
      }
    } finally {
      const s = this.starting.get(c.vmId);
      if (s && s.generation <= c.generation) this.starting.delete(c.vmId);
    }
  }

  private async stopVm(vmId: string, generation: number, reason: string, done: () => void): Promise<void> {
    const copies = (await this.refreshDomains()).filter((d) => d.meta.vmId === vmId && d.meta.generation <= generation);
    const graceful = (reason === "power-off" || reason === "maintenance") && (this.o.stopTimeoutMs ?? 0) > 0;
    for (const d of copies) {
      if (graceful) {
        await this.o.hypervisor.shutdown(d.uuid).catch(() => {});
        const until = this.now() + this.o.stopTimeoutMs!;
        while (this.now() < until && (await this.refreshDomains()).some((x) => x.uuid === d.uuid)) await new Promise((r) => setTimeout(r, 250));
      }
      await this.o.hypervisor.destroy(d.uuid);
      this.stats.stops++;
      this.o.log.info(`stopped ${d.meta.vmName} (${vmId}) generation ${d.meta.generation} [${reason}]`);
    }
    this.forgetDomains(copies.map((d) => d.uuid));
    done();
  }

  /** Domains this agent destroyed leave the kept listing now (a listing started before cannot bring them back). */
  private forgetDomains(uuids: string[]): void {
    const gone = new Set(uuids);
    this.domains = this.domains.filter((d) => !gone.has(d.uuid));
    this.domainsAt = Math.max(this.domainsAt, this.now());
  }

  // ------------------------------------------------------------------ isolation and the watchdog

  private isolationCheck(now: number): void {
    if (now - this.lastContact < this.timings.isolationTimeoutMs) return;
    if (!this.isolated) {
      this.isolated = true;
      this.o.log.warn(`console not reached for ${Math.round((now - this.lastContact) / 1000)} s: isolated (${this.isolationResponse === "power-off" ? "powering off its guests" : "HA disabled: guests keep running"})`);
    }
    if (this.isolationResponse !== "power-off" || this.fenceBusy || now - this.lastFence < 1000) return;
    this.fenceBusy = true;
    this.lastFence = now;
    void (async () => {
      try {
        // The isolation response fences the host: every guest it owns goes off, HA or not (a VM of
        // a silent host is then known off and may run elsewhere), except VMs that opted out.
        const victims = (await this.refreshDomains()).filter((d) => !d.meta.keepRunningWhenIsolated);
        for (const d of victims) {
          await this.o.hypervisor.destroy(d.uuid);
          this.stats.isolationPowerOffs++;
          this.o.log.warn(`isolation response: powered off ${d.meta.vmName} (${d.meta.vmId}) generation ${d.meta.generation}`);
        }
        this.fenceFailing = false;
      } catch (e) {
        this.fenceFailing = true;
        this.o.log.error(`isolation response failed: ${(e as Error).message}${this.o.watchdog ? " — the watchdog will reset the host" : ""}`);
      } finally {
        this.fenceBusy = false;
      }
    })();
  }

  /** The watchdog is fed unless the host is isolated and could not power its guests off. */
  private petWatchdog(): void {
    if (!this.o.watchdog) return;
    if (this.isolated && this.fenceFailing) return;
    this.o.watchdog.pet();
  }
}
