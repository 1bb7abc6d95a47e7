// A simulated host agent: registers, heartbeats, executes commands (a VM boots `vmStart` after its
// start command), applies the isolation response (powers off its HA VMs once it has lost the
// console for `isolationTimeout`), and takes injected faults: power loss, isolation, NIC and
// storage-controller faults, start failures, VM crashes. It speaks the agent protocol through
// an AgentTransport, so it runs in-process on a virtual clock or over HTTP on the wall clock.
import { MAX_COMMANDS_SEEN, type TAgentCommand, type TCommandAck, type TStartVmPayload, type TMigrateVmPayload } from "@/lib/schemas/agent";
import { ConsoleUnreachableError, type AgentTransport } from "./transport";

export interface SimVm {
  vmId: string;
  name: string;
  generation: number;
  haPriority: "high" | "medium" | "low" | "off";
  vcpus: number;
  memoryMiB: number;
  /** Device keys ("vf:<nicId>:<vf>") and labels ("h2/ens1f0/vf0") it holds. */
  deviceKeys: string[];
  ips: string[];
  /** Opted out of the isolation response: it keeps running when the host loses the console. */
  keepRunningWhenIsolated?: boolean;
}

export type StopCause = "power-loss" | "crash" | "isolation" | "migrated" | `stop:${string}`;

export interface SimObserver {
  vmStarted(vm: SimVm, host: string, now: number): void;
  vmStopped(vm: SimVm, host: string, cause: StopCause, now: number): void;
}

export interface SimTiming {
  heartbeatMs: number;
  isolationTimeoutMs: number;
  vmStartMs: number;
  migrateMs: number;
}

export interface MigrationBroker {
  /** Moves a running VM to another agent atomically (the copy never runs twice). */
  completeMigration(from: SimAgent, vmId: string, toHostId: string, generation: number, now: number): boolean;
  /** An injected failure of the next start of this VM, wherever it starts (consumed). */
  takeVmStartFailure?(vmId: string): boolean;
}

export class SimAgent {
  up = true;
  isolated = false;
  token: string | null = null;
  hostId: string | null = null;
  readonly running = new Map<string, SimVm>();
  private booting = new Map<string, { vm: SimVm; readyAt: number; commandId: string; fail: string | null }>();
  private migrations = new Map<string, { readyAt: number; commandId: string; toHostId: string; generation: number }>();
  private outbox: TCommandAck[] = [];
  /** Commands this run received whose ack is not delivered yet (echoed as `commandsSeen`). */
  private received: string[] = [];
  private lastContact = 0;
  private nextHeartbeat = 0;
  /** +1 per heartbeat; back to 0 when the agent restarts (power on). */
  private seq = 0;
  startFailures = 0;
  private failNextLocalStart = new Set<string>();
  readonly nics = new Map<string, boolean>();
  storageHealthy = true;
  isolationResponses = 0;
  /** From the console at registration: "power-off" (fence every guest that did not opt out). */
  isolationResponse: "power-off" | "none" = "power-off";

  constructor(
    readonly name: string,
    private readonly transport: AgentTransport,
    private readonly timing: SimTiming,
    private readonly observer: SimObserver,
    private readonly broker: MigrationBroker,
    nics: string[],
  ) {
    for (const n of nics) this.nics.set(n, true);
  }

  /** VMs running at t=0 (the imported state). */
  adopt(vm: SimVm, now: number): void {
    this.running.set(vm.vmId, vm);
    this.observer.vmStarted(vm, this.name, now);
  }

  private reachable(): boolean {
    return this.up && !this.isolated;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.reachable()) throw new ConsoleUnreachableError();
    return fn();
  }

  async register(now: number): Promise<void> {
    try {
      const r = await this.call(() => this.transport.register({ hostName: this.name, agentVersion: "sim-1", nics: [...this.nics].map(([name, linkUp]) => ({ name, linkUp })) }));
      this.token = r.token;
      this.hostId = r.hostId;
      this.isolationResponse = r.isolationResponse ?? "power-off";
      this.lastContact = now;
      this.nextHeartbeat = now;
    } catch (e) {
      if (!(e instanceof ConsoleUnreachableError)) throw e;
    }
  }

  /** Boots finishing, the isolation response, the heartbeat when due, acks waiting to be sent. */
  async tick(now: number): Promise<void> {
    if (!this.up) return;
    if (!this.token) {
      await this.register(now);
      if (!this.token) return this.isolationCheck(now);
    }
    for (const [vmId, b] of [...this.booting]) {
      if (b.readyAt > now) continue;
      this.booting.delete(vmId);
      if (b.fail) {
        this.outbox.push({ hostId: this.hostId!, commandId: b.commandId, status: "failed", error: b.fail });
        continue;
      }
      this.running.set(vmId, b.vm);
      this.observer.vmStarted(b.vm, this.name, now);
      this.outbox.push({ hostId: this.hostId!, commandId: b.commandId, status: "done" });
    }
    for (const [vmId, m] of [...this.migrations]) {
      if (m.readyAt > now) continue;
      this.migrations.delete(vmId);
      const ok = this.broker.completeMigration(this, vmId, m.toHostId, m.generation, now);
      this.outbox.push({ hostId: this.hostId!, commandId: m.commandId, status: ok ? "done" : "failed", ...(ok ? {} : { error: "migration target unavailable" }) });
    }
    this.isolationCheck(now);
    if (now >= this.nextHeartbeat) {
      this.nextHeartbeat = Math.max(this.nextHeartbeat + this.timing.heartbeatMs, now + 1);
      try {
        await this.call(() =>
          this.transport.heartbeat(this.token!, {
            hostId: this.hostId!,
            seq: this.seq++,
            vms: [
              ...[...this.running.values()].map((v) => ({ vmId: v.vmId, generation: v.generation, state: "running" as const })),
              ...[...this.booting.values()].map((b) => ({ vmId: b.vm.vmId, generation: b.vm.generation, state: "starting" as const })),
            ],
            nics: [...this.nics].map(([name, linkUp]) => ({ name, linkUp })),
            storageController: { healthy: this.storageHealthy },
            commandsSeen: [...this.received],
          }),
        );
        this.lastContact = now;
      } catch (e) {
        if (!(e instanceof ConsoleUnreachableError)) throw e;
      }
    }
    await this.flush();
  }

  private isolationCheck(now: number): void {
    if (this.isolationResponse === "none" || now - this.lastContact < this.timing.isolationTimeoutMs) return;
    // Fencing: every guest, HA or not, except those that opted out.
    for (const vm of [...this.running.values()]) {
      if (vm.keepRunningWhenIsolated) continue;
      this.running.delete(vm.vmId);
      this.isolationResponses++;
      this.observer.vmStopped(vm, this.name, "isolation", now);
    }
    for (const [vmId, b] of [...this.booting]) if (!b.vm.keepRunningWhenIsolated) this.booting.delete(vmId);
  }

  private async flush(): Promise<void> {
    while (this.outbox.length && this.reachable()) {
      const ack = this.outbox[0];
      try {
        await this.call(() => this.transport.ack(this.token!, ack));
      } catch (e) {
        if (e instanceof ConsoleUnreachableError) return;
        // The console refused the ack (e.g. the command was voided): drop it.
      }
      this.outbox.shift();
      this.forget(ack.commandId);
    }
  }

  /** Fetch and execute commands. */
  async poll(now: number): Promise<void> {
    if (!this.reachable() || !this.token) return;
    let cmds: TAgentCommand[];
    try {
      cmds = (await this.transport.fetchCommands(this.token)).commands;
    } catch (e) {
      if (e instanceof ConsoleUnreachableError) return;
      throw e;
    }
    for (const c of cmds) this.execute(c, now);
    await this.flush();
  }

  private forget(commandId: string): void {
    const i = this.received.indexOf(commandId);
    if (i >= 0) this.received.splice(i, 1);
  }

  private execute(c: TAgentCommand, now: number): void {
    const hostId = this.hostId!;
    if (!this.received.includes(c.id)) {
      this.received.push(c.id);
      if (this.received.length > MAX_COMMANDS_SEEN) this.received.shift();
    }
    if (c.kind === "start-vm") {
      const p = c.payload as TStartVmPayload;
      const cur = this.running.get(c.vmId);
      if (cur && cur.generation >= c.generation) {
        this.outbox.push({ hostId, commandId: c.id, status: "done" });
        return;
      }
      const booting = this.booting.get(c.vmId);
      if (booting && booting.vm.generation >= c.generation) {
        // Redelivered (or retried): it keeps booting and answers the latest command when booted.
        if (booting.commandId !== c.id) {
          this.forget(booting.commandId);
          booting.commandId = c.id;
        }
        return;
      }
      const vm: SimVm = {
        vmId: c.vmId,
        name: p.vmName,
        generation: c.generation,
        haPriority: p.haPriority,
        vcpus: p.vcpus,
        memoryMiB: p.memoryMiB,
        deviceKeys: p.devices.map((d) => d.key),
        ips: p.ips,
        keepRunningWhenIsolated: p.keepRunningWhenIsolated === true,
      };
      let fail: string | null = null;
      if (this.failNextLocalStart.has(c.vmId) && p.purpose === "local-restart") {
        this.failNextLocalStart.delete(c.vmId);
        fail = "injected local restart failure";
      } else if (this.broker.takeVmStartFailure?.(c.vmId)) {
        fail = "injected start failure of this VM";
      } else if (this.startFailures > 0) {
        this.startFailures--;
        fail = "injected start failure";
      }
      if (cur) {
        this.running.delete(c.vmId);
        this.observer.vmStopped(cur, this.name, "stop:restart", now);
      }
      this.booting.set(c.vmId, { vm, readyAt: now + this.timing.vmStartMs, commandId: c.id, fail });
      return;
    }
    if (c.kind === "stop-vm") {
      const cur = this.running.get(c.vmId);
      if (cur && cur.generation <= c.generation) {
        this.running.delete(c.vmId);
        this.observer.vmStopped(cur, this.name, `stop:${c.payload.reason}`, now);
      }
      const b = this.booting.get(c.vmId);
      if (b && b.vm.generation <= c.generation) {
        this.booting.delete(c.vmId);
        this.forget(b.commandId); // never answered: the start was called off
      }
      this.outbox.push({ hostId, commandId: c.id, status: "done" });
      return;
    }
    if (c.kind === "migrate-vm") {
      const p = c.payload as TMigrateVmPayload;
      if (!this.running.has(c.vmId)) {
        this.outbox.push({ hostId, commandId: c.id, status: "failed", error: "VM not running here" });
        return;
      }
      this.migrations.set(c.vmId, { readyAt: now + this.timing.migrateMs, commandId: c.id, toHostId: p.toHostId, generation: c.generation });
    }
  }

  // ---- injected faults

  powerLoss(now: number): void {
    this.up = false;
    for (const vm of [...this.running.values()]) {
      this.running.delete(vm.vmId);
      this.observer.vmStopped(vm, this.name, "power-loss", now);
    }
    this.booting.clear();
    this.migrations.clear();
    this.outbox = [];
  }

  powerOn(now: number): void {
    if (this.up) return;
    this.up = true;
    this.token = null;
    // A new run of the agent: its heartbeat seq starts again and it remembers no command.
    this.seq = 0;
    this.received = [];
    this.lastContact = now;
    this.nextHeartbeat = now;
    for (const k of [...this.nics.keys()]) this.nics.set(k, true);
    this.storageHealthy = true;
  }

  isolate(): void {
    this.isolated = true;
  }

  rejoin(): void {
    this.isolated = false;
  }

  crash(vmId: string, now: number, localRestartFails: boolean): boolean {
    const vm = this.running.get(vmId);
    if (!vm) return false;
    this.running.delete(vmId);
    this.observer.vmStopped(vm, this.name, "crash", now);
    if (localRestartFails) this.failNextLocalStart.add(vmId);
    return true;
  }

  receiveMigrated(vm: SimVm, now: number): void {
    this.running.set(vm.vmId, vm);
    this.observer.vmStarted(vm, this.name, now);
  }
}
