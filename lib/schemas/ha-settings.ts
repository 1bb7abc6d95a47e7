// The cluster's HA settings as the admin edits them (form strings or numbers): HA mode, fault
// tolerance, reservation kind and the timings. Client-safe: the form checks as it goes, the
// action and the service check again.
import { z } from "zod";

export const HA_MODES = ["default", "guarantee", "disabled"] as const;
export const RESERVATIONS = ["host", "segment"] as const;

/** A number from a form field ("" is missing, not zero). */
function num(label: string, rule: (n: z.ZodNumber) => z.ZodNumber) {
  return z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim())) : v),
    rule(z.number({ error: (i) => (i.input === undefined ? `Enter the ${label}` : `The ${label} must be a number`) })),
  );
}

/** An optional number from a form field: blank (or null) is null — "no limit" / "not set". */
function optNum(label: string, rule: (n: z.ZodNumber) => z.ZodNumber) {
  return z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? null : Number(v.trim())) : v),
    rule(z.number({ error: `The ${label} must be a number` })).nullable(),
  );
}

/** A yes/no from a form field: radios and checkboxes send "true"/"false"/"on"/"off". */
export const flag = z.preprocess(
  (v) => {
    const x = Array.isArray(v) ? v[v.length - 1] : v;
    return x === "true" || x === "on" ? true : x === "false" || x === "off" ? false : x;
  },
  z.boolean({ error: "Choose yes or no" }),
);

export const ZHaSettingsInput = z
  .object({
    haMode: z.enum(HA_MODES, { error: "Choose an HA mode" }),
    faultTolerance: z.preprocess((v) => (typeof v === "string" ? Number(v) : v), z.union([z.literal(1), z.literal(2)], { error: "Fault tolerance is 1 or 2 host failures" })),
    reservation: z.enum(RESERVATIONS, { error: "Choose host-based or segment-based" }),
    heartbeatS: num("heartbeat interval", (n) => n.min(0.1, "At least 0.1 s").max(60, "At most 60 s")),
    missedHeartbeats: num("number of missed heartbeats", (n) => n.int("A whole number").min(1, "At least 1").max(20, "At most 20")),
    failureTimeoutS: num("failure timeout", (n) => n.min(1, "At least 1 s").max(3600, "At most 3,600 s")),
    isolationTimeoutS: num("isolation timeout", (n) => n.min(1, "At least 1 s").max(3600, "At most 3,600 s")),
    vmStartS: num("VM boot time", (n) => n.min(0, "Not negative").max(3600, "At most 3,600 s")),
    /** Standard VMs away from their preferred host live-migrate back; maintenance exit brings back what it moved. */
    failback: flag.default(true),
    /** Restart policy defaults: starts on the same host before relocating, relocations before giving up (blank: no limit). */
    restartMaxRestarts: num("number of restarts", (n) => n.int("A whole number").min(0, "Not negative").max(10, "At most 10")).default(1),
    restartMaxRelocations: optNum("number of relocations", (n) => n.int("A whole number").min(0, "Not negative").max(100, "At most 100")).default(null),
    /** Device VMs powered off for maintenance are rebuilt elsewhere after this long (blank: they wait for the host). */
    maintenanceRebuildAfterS: optNum("rebuild time", (n) => n.min(60, "At least 60 s").max(30 * 86_400, "At most 30 days")).default(null),
  })
  .superRefine((t, ctx) => {
    const detect = t.missedHeartbeats * t.heartbeatS + t.failureTimeoutS;
    if (!(t.isolationTimeoutS < detect)) {
      ctx.addIssue({
        code: "custom",
        path: ["isolationTimeoutS"],
        message: `Must be less than missed heartbeats × heartbeat + failure timeout (${round(detect)} s), so an isolated host powers its VMs off before they are started elsewhere`,
      });
    }
  });

export type THaSettingsInput = z.input<typeof ZHaSettingsInput>;
export type THaSettings = z.output<typeof ZHaSettingsInput>;

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
