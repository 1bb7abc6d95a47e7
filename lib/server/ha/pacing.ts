// Keeping the controller's process responsive while it works through a large cluster.
//
// The store driver answers synchronously (better-sqlite3), so a chain of awaited queries runs as
// microtasks without ever returning to the event loop: a failover of hundreds of VMs, or an
// evaluation over 20,000 VMs, used to hold the agent listener, the demo fleet's heartbeats and
// /api/health for seconds. `Pacer.breathe()` gives the event loop a turn (setImmediate) once the
// current stretch has run for `sliceMs` of wall time; callers await it between units of work.
//
// `Cadence` spaces out a recurring job whose cost grows with the cluster (evaluation): it may run
// again only after `factor ×` its last wall-clock duration, so on a small cluster (a few ms) it
// runs at every chance and on a large one it cannot eat the process. Both use wall time, never
// the controller's clock: they pace the machine, not the HA timeline.
export class Pacer {
  private since = performance.now();
  constructor(private readonly sliceMs = 20) {}

  /** Yields to the event loop now. */
  async pause(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.since = performance.now();
  }

  /** Yields to the event loop when the current stretch is longer than the slice. */
  async breathe(): Promise<void> {
    if (performance.now() - this.since < this.sliceMs) return;
    await new Promise<void>((r) => setImmediate(r));
    this.since = performance.now();
  }
}

export class Cadence {
  private nextAt = 0;
  lastMs = 0;
  constructor(private readonly factor = 3) {}

  /** Whether the job may run now. */
  due(): boolean {
    return performance.now() >= this.nextAt;
  }

  /** Runs the job and records its duration. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    const s = performance.now();
    try {
      return await job();
    } finally {
      this.lastMs = performance.now() - s;
      this.nextAt = performance.now() + this.lastMs * this.factor;
    }
  }
}

/**
 * The event loop's recent delay, measured by a 100 ms timer's drift. A heartbeat that arrived
 * while the loop was busy waits in the socket (or, for the in-process demo fleet, is sent late)
 * and is processed up to that long after the host sent it; the failure detector widens a host's
 * silence window by the largest delay of the last `horizonMs` so that this queueing is never
 * counted as the host's silence. Wall time; the timer does not keep the process alive.
 */
export class LoopLag {
  private samples: { at: number; ms: number }[] = [];
  private last = performance.now();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly everyMs = 100,
    private readonly horizonMs = 15_000,
  ) {}

  start(): this {
    if (this.timer) return this;
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Records one timer turn (exposed for tests). */
  tick(now = performance.now()): void {
    const ms = Math.max(0, now - this.last - this.everyMs);
    this.last = now;
    if (ms > 5) this.samples.push({ at: now, ms });
    while (this.samples.length && this.samples[0].at < now - this.horizonMs) this.samples.shift();
  }

  /** The largest delay within the horizon (ms). */
  recentMaxMs(now = performance.now()): number {
    let max = 0;
    for (const s of this.samples) if (s.at >= now - this.horizonMs && s.ms > max) max = s.ms;
    return max;
  }
}
