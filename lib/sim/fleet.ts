// The simulated fleet: one SimAgent per host, ticking together, with the migration broker.
import { SimAgent, type SimObserver, type SimTiming, type SimVm } from "./agent";
import type { AgentTransport } from "./transport";

export class SimFleet {
  readonly agents = new Map<string, SimAgent>();
  /** Injected start failures per VM (start-fails with `vm`), consumed by whichever host starts it. */
  readonly vmStartFailures = new Map<string, number>();

  constructor(
    private readonly transport: AgentTransport,
    private readonly timing: SimTiming,
    private readonly observer: SimObserver,
  ) {}

  add(name: string, nics: string[]): SimAgent {
    const a = new SimAgent(name, this.transport, this.timing, this.observer, this, nics);
    this.agents.set(name, a);
    return a;
  }

  get(name: string): SimAgent {
    const a = this.agents.get(name);
    if (!a) throw new Error(`no simulated host ${name}`);
    return a;
  }

  byHostId(hostId: string): SimAgent | undefined {
    for (const a of this.agents.values()) if (a.hostId === hostId) return a;
    return undefined;
  }

  /** Agents' periodic work (boots, isolation response, heartbeats, acks). */
  async tick(now: number): Promise<void> {
    for (const a of this.agents.values()) await a.tick(now);
  }

  /** Agents fetch and execute their commands. */
  async poll(now: number): Promise<void> {
    for (const a of this.agents.values()) await a.poll(now);
  }

  takeVmStartFailure(vmId: string): boolean {
    const n = this.vmStartFailures.get(vmId) ?? 0;
    if (n <= 0) return false;
    if (n === 1) this.vmStartFailures.delete(vmId);
    else this.vmStartFailures.set(vmId, n - 1);
    return true;
  }

  completeMigration(from: SimAgent, vmId: string, toHostId: string, generation: number, now: number): boolean {
    const to = this.byHostId(toHostId);
    const vm = from.running.get(vmId);
    if (!to || !to.up || !vm) return false;
    from.running.delete(vmId);
    this.observer.vmStopped(vm, from.name, "migrated", now);
    const moved: SimVm = { ...vm, generation };
    to.receiveMigrated(moved, now);
    return true;
  }

  /** Where a VM runs now (host names). */
  hostsRunning(vmId: string): string[] {
    const out: string[] = [];
    for (const a of this.agents.values()) if (a.running.has(vmId)) out.push(a.name);
    return out;
  }
}
