import "server-only";
// Incidents and their events: every HA step is an Event, tied to the Incident (one host failure,
// network fault or VM crash episode) so its timeline reads from detection to the last VM running.
import type { Prisma, PrismaClient } from "@prisma/client";

type Tx = PrismaClient | Prisma.TransactionClient;

export type IncidentKind = "host-failure" | "network-fault" | "vm-crash" | "isolation" | "device-failure";

export interface EventInput {
  at: Date;
  kind: string;
  message: string;
  incidentId?: string | null;
  hostId?: string | null;
  vmId?: string | null;
  data?: Record<string, unknown> | null;
}

export interface RecordedEvent extends EventInput {
  id: string;
}

/** Buffers events written inside a transaction so listeners hear of them only after commit. */
export class EventSink {
  readonly written: RecordedEvent[] = [];
  async record(tx: Tx, e: EventInput): Promise<RecordedEvent> {
    const row = await tx.event.create({
      data: {
        at: e.at,
        kind: e.kind,
        message: e.message,
        incidentId: e.incidentId ?? null,
        hostId: e.hostId ?? null,
        vmId: e.vmId ?? null,
        data: e.data ? JSON.stringify(e.data) : null,
      },
      select: { id: true },
    });
    const rec = { ...e, id: row.id };
    this.written.push(rec);
    return rec;
  }
}

export async function openIncident(
  tx: Tx,
  i: { clusterId: string; kind: IncidentKind; hostId?: string | null; openedAt: Date; detectedAt?: Date | null; failedAt?: Date | null; summary?: string },
): Promise<{ id: string; seq: number }> {
  const last = await tx.incident.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } });
  const seq = (last?.seq ?? 0) + 1;
  const row = await tx.incident.create({
    data: {
      seq,
      clusterId: i.clusterId,
      hostId: i.hostId ?? null,
      kind: i.kind,
      status: "open",
      openedAt: i.openedAt,
      detectedAt: i.detectedAt ?? null,
      failedAt: i.failedAt ?? null,
      summary: i.summary ?? null,
    },
    select: { id: true, seq: true },
  });
  return row;
}
