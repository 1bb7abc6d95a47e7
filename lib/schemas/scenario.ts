// A scenario file (../shared/scenarios/FORMAT.md): the cluster spec plus a name, a timeline of
// events and how long to run. Strict: an unknown field is an error; references to hosts, NICs
// and VMs are checked with the path of the offending field ("events.0.host").
import { z } from "zod";
import { ZClusterSpecObject, checkClusterSpec, specGpuId } from "@/lib/schemas/cluster-spec";

const at = z.number().min(0, "at is a time in seconds, 0 or later");
const host = z.string().min(1);
const vm = z.string().min(1);

export const ZScenarioEvent = z.discriminatedUnion("do", [
  z.strictObject({ at, do: z.literal("host-down"), host }),
  z.strictObject({ at, do: z.literal("host-up"), host }),
  z.strictObject({ at, do: z.literal("host-isolate"), host }),
  z.strictObject({ at, do: z.literal("host-rejoin"), host }),
  z.strictObject({ at, do: z.literal("nic-down"), host, nic: z.string().min(1) }),
  z.strictObject({ at, do: z.literal("nic-up"), host, nic: z.string().min(1) }),
  z.strictObject({ at, do: z.literal("storage-down"), host }),
  z.strictObject({ at, do: z.literal("storage-up"), host }),
  z.strictObject({ at, do: z.literal("vm-crash"), vm, localRestartFails: z.boolean().default(false) }),
  z.strictObject({ at, do: z.literal("start-fails"), host: host.optional(), vm: vm.optional(), times: z.number().int().min(1).default(1) }),
  z.strictObject({ at, do: z.literal("device-fail"), host, device: z.string().min(1) }),
  z.strictObject({ at, do: z.literal("device-ok"), host, device: z.string().min(1) }),
  z.strictObject({ at, do: z.literal("vm-migrate"), vm, host }),
  z.strictObject({ at, do: z.literal("host-confirm-off"), host }),
  z.strictObject({ at, do: z.literal("vm-power-on"), vm }),
  z.strictObject({ at, do: z.literal("vm-power-off"), vm }),
  z.strictObject({ at, do: z.literal("maintenance-enter"), host }),
  z.strictObject({ at, do: z.literal("maintenance-exit"), host }),
]);
export type TScenarioEvent = z.output<typeof ZScenarioEvent>;

export const ZScenario = ZClusterSpecObject.extend({
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).optional(),
  events: z.array(ZScenarioEvent).default([]),
  runUntil: z.number().positive("runUntil is the virtual time to run, in seconds").max(1_000_000),
}).superRefine((s, ctx) => {
  checkClusterSpec(s, ctx);
  const hosts = new Map(s.hosts.map((h) => [h.name, h]));
  const vms = new Set(s.vms.map((v) => v.name));
  s.events.forEach((e, i) => {
    if ("host" in e && e.host !== undefined && !hosts.has(e.host)) ctx.addIssue({ code: "custom", path: ["events", i, "host"], message: `unknown host "${e.host}"` });
    if ("vm" in e && e.vm !== undefined && !vms.has(e.vm)) ctx.addIssue({ code: "custom", path: ["events", i, "vm"], message: `unknown VM "${e.vm}"` });
    if ((e.do === "nic-down" || e.do === "nic-up") && hosts.has(e.host) && !hosts.get(e.host)!.nics.some((n) => n.name === e.nic))
      ctx.addIssue({ code: "custom", path: ["events", i, "nic"], message: `host ${e.host} has no NIC "${e.nic}"` });
    if (e.do === "start-fails" && (e.host === undefined) === (e.vm === undefined))
      ctx.addIssue({ code: "custom", path: ["events", i], message: "start-fails names exactly one of host or vm" });
    if ((e.do === "device-fail" || e.do === "device-ok") && hosts.has(e.host)) {
      const h = hosts.get(e.host)!;
      const gpuIds = h.gpus.map((g, gi) => specGpuId(h.name, g, gi));
      if (!gpuIds.includes(e.device) && !h.nics.some((n) => n.name === e.device))
        ctx.addIssue({ code: "custom", path: ["events", i, "device"], message: `host ${e.host} has no GPU or NIC "${e.device}"` });
    }
  });
});
export type TScenario = z.output<typeof ZScenario>;
export type TScenarioInput = z.input<typeof ZScenario>;

/** "events.0.host: unknown host "h9"" lines, one per issue. */
export function formatScenarioIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.map(String).join(".") : "(file)"}: ${i.message}`).join("\n");
}
