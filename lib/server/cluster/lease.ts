// Leader election for several console instances on one PostgreSQL store (issue 13): the holder
// of the "controller" lease row (prisma/migrations-postgresql/0002_controller_lease) runs the HA
// controller. Taking the lease succeeds only when it is free or expired, and bumps the epoch (the
// fencing token); the holder renews it every quarter of the lease; a holder that cannot confirm
// its renewal before the lease runs out (by its own clock) has lost it. The elector talks to
// PostgreSQL on its own connection (never Prisma's pool, never a session advisory lock), with
// short statement and lock timeouts so a stuck store cannot stall it. All times are the
// database's clock (clock_timestamp()), so instances' clocks need not agree.
import { EventEmitter } from "node:events";
import pg from "pg";

export const LEASE_NAME = "controller";
/** Lease length (HAVEN_LEASE_MS, 1–60 s; default 4 s). */
export function leaseMs(): number {
  const n = Number(process.env.HAVEN_LEASE_MS ?? "");
  return Number.isFinite(n) && n >= 1000 && n <= 60_000 ? Math.round(n) : 4000;
}

export interface LeaseState {
  role: "leader" | "follower";
  /** The current epoch as last seen (this instance's when leader). */
  epoch: number | null;
  /** The instance holding the lease, as last seen. */
  holder: string | null;
  /** The holder's internal address (host:port) where followers forward controller calls. */
  address: string | null;
  /** When the holder took the lease. */
  since: string | null;
  /** When the lease expires, as last seen. */
  expiresAt: string | null;
  /** The store answered the last attempt. */
  storeOk: boolean;
}

export interface LeaseRow {
  holder: string;
  epoch: string;
  address: string | null;
  acquired_at: Date;
  expires_at: Date;
}

const TAKE = `
INSERT INTO "haven_lease" ("name", "holder", "epoch", "address", "acquired_at", "renewed_at", "expires_at")
VALUES ($1, $2, 1, $3, clock_timestamp(), clock_timestamp(), clock_timestamp() + $4 * interval '1 millisecond')
ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "epoch" = "haven_lease"."epoch" + 1, "address" = EXCLUDED."address",
  "acquired_at" = EXCLUDED."acquired_at", "renewed_at" = EXCLUDED."renewed_at", "expires_at" = EXCLUDED."expires_at"
WHERE "haven_lease"."expires_at" < clock_timestamp()
RETURNING "holder", "epoch", "address", "acquired_at", "expires_at"`;

const RENEW = `
UPDATE "haven_lease" SET "renewed_at" = clock_timestamp(), "expires_at" = clock_timestamp() + $4 * interval '1 millisecond'
WHERE "name" = $1 AND "holder" = $2 AND "epoch" = $3 AND "expires_at" >= clock_timestamp()
RETURNING "holder", "epoch", "address", "acquired_at", "expires_at"`;

const RELEASE = `UPDATE "haven_lease" SET "expires_at" = clock_timestamp() - interval '1 millisecond' WHERE "name" = $1 AND "holder" = $2 AND "epoch" = $3`;

const READ = `SELECT "holder", "epoch", "address", "acquired_at", "expires_at", "expires_at" >= clock_timestamp() AS "live" FROM "haven_lease" WHERE "name" = $1`;

/** The lease row as the store has it now (null when never taken). */
export async function readLease(client: pg.Client | pg.Pool, name = LEASE_NAME): Promise<(LeaseRow & { live: boolean }) | null> {
  const r = await client.query<LeaseRow & { live: boolean }>(READ, [name]);
  return r.rows[0] ?? null;
}

/**
 * Runs the election for this instance. Events: "elected" (epoch) when it takes the lease,
 * "lost" (reason) when it held it and no longer can be sure it does, "change" (state) whenever
 * the state changes. Once lost, an elector does not stand again (the process that ran the
 * controller exits and starts afresh as a follower).
 */
export class LeaseElector extends EventEmitter {
  readonly state: LeaseState = { role: "follower", epoch: null, holder: null, address: null, since: null, expiresAt: null, storeOk: false };
  private client: pg.Client | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private lost = false;
  /** Local monotonic time (ms) until which this leader is sure of its lease. */
  private sureUntil = 0;

  constructor(
    private readonly url: string,
    readonly instance: string,
    private readonly opts: { address?: string | null; leaseMs?: number; name?: string } = {},
  ) {
    super();
  }

  get leaseMs(): number {
    return this.opts.leaseMs ?? leaseMs();
  }

  /** Whether this instance leads now: it holds the lease and its last renewal was confirmed in time. */
  isLeader(): boolean {
    return this.state.role === "leader" && !this.lost && performance.now() < this.sureUntil;
  }

  start(): void {
    this.loop();
  }

  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    if (c && opts.release && this.state.role === "leader" && this.state.epoch !== null) {
      await c.query(RELEASE, [this.name, this.instance, this.state.epoch]).catch(() => {});
    }
    await c?.end().catch(() => {});
  }

  private get name(): string {
    return this.opts.name ?? LEASE_NAME;
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const ms = Math.max(500, Math.floor(this.leaseMs / 2));
    const c = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: ms,
      // A statement or lock wait longer than half the lease is a failed attempt (a busy machine
      // may take a second to answer; the holder still renews in time, every quarter lease).
      options: `-c statement_timeout=${ms} -c lock_timeout=${ms}`,
    });
    c.on("error", () => {
      if (this.client === c) this.client = null;
    });
    await c.connect();
    this.client = c;
    return c;
  }

  private drop(): void {
    const c = this.client;
    this.client = null;
    c?.end().catch(() => {});
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.loop(), ms);
    this.timer.unref?.();
  }

  private set(row: LeaseRow | null, storeOk: boolean): void {
    const s = this.state;
    const next: LeaseState = {
      role: s.role,
      epoch: row ? Number(row.epoch) : s.epoch,
      holder: row ? row.holder : s.holder,
      address: row ? row.address : s.address,
      since: row ? row.acquired_at.toISOString() : s.since,
      expiresAt: row ? row.expires_at.toISOString() : s.expiresAt,
      storeOk,
    };
    const changed = JSON.stringify(next) !== JSON.stringify(s);
    Object.assign(this.state, next);
    if (changed) this.emit("change", { ...this.state });
  }

  private loseLease(reason: string): void {
    if (this.lost) return;
    this.lost = true;
    this.state.role = "follower";
    this.emit("lost", reason);
    this.emit("change", { ...this.state });
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    const quarter = Math.max(200, Math.floor(this.leaseMs / 4));
    const started = performance.now();
    try {
      const c = await this.connection();
      if (this.state.role === "leader") {
        const r = await c.query<LeaseRow>(RENEW, [this.name, this.instance, this.state.epoch, this.leaseMs]);
        if (!r.rows[0]) {
          this.set(null, true);
          this.loseLease("the lease was taken over or expired before it could be renewed");
          return;
        }
        // Sure until the lease ends, counted from when the renewal was sent (the store's expiry is later).
        this.sureUntil = started + this.leaseMs;
        this.set(r.rows[0], true);
      } else if (!this.lost) {
        const r = await c.query<LeaseRow>(TAKE, [this.name, this.instance, this.opts.address ?? null, this.leaseMs]);
        if (r.rows[0]) {
          this.sureUntil = started + this.leaseMs;
          this.state.role = "leader";
          this.set(r.rows[0], true);
          this.emit("elected", Number(r.rows[0].epoch));
        } else {
          const row = await readLease(c, this.name);
          this.set(row, true);
        }
      }
    } catch {
      this.drop();
      this.state.storeOk = false;
      this.emit("change", { ...this.state });
      if (this.state.role === "leader" && performance.now() >= this.sureUntil) {
        this.loseLease("the store did not confirm the lease in time");
        return;
      }
    }
    if (this.state.role === "leader" && !this.lost) {
      // Give up locally when the next renewal cannot be confirmed before the lease runs out.
      const left = this.sureUntil - performance.now();
      if (left <= 0) {
        this.loseLease("the lease ran out before a renewal was confirmed");
        return;
      }
      this.armExpiry();
    }
    if (this.lost) return;
    this.schedule(this.state.role === "leader" ? quarter : Math.max(100, Math.floor(quarter / 2)));
  }

  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Steps down the moment the lease runs out unconfirmed, even while a renewal is in flight. */
  private armExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const left = Math.max(0, this.sureUntil - performance.now());
    this.expiryTimer = setTimeout(() => {
      if (this.state.role === "leader" && performance.now() >= this.sureUntil) this.loseLease("the lease ran out before a renewal was confirmed");
    }, left + 1);
    this.expiryTimer.unref?.();
  }
}
