// Time for the HA controller and the simulated agents: injectable, so the scenario runner drives
// a virtual clock deterministically and the server uses the wall clock.

export interface Clock {
  /** Milliseconds since the epoch (virtual or real). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. t=0 is `epochMs` (default: the Unix epoch). */
export class VirtualClock implements Clock {
  private t: number;
  constructor(readonly epochMs = 0) {
    this.t = epochMs;
  }
  now(): number {
    return this.t;
  }
  /** Seconds since the virtual epoch. */
  seconds(): number {
    return (this.t - this.epochMs) / 1000;
  }
  set(ms: number): void {
    if (ms < this.t) throw new Error("a virtual clock does not go backwards");
    this.t = ms;
  }
  advance(ms: number): void {
    this.set(this.t + ms);
  }
}
