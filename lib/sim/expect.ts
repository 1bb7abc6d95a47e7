// The scenario expectation rules of ../shared/scenarios/check.mjs, as a function: a report and
// a NAME.expect.json in, the list of failures out (empty = pass). `ipsKeptBaseline` is the report
// of the same scenario with no events cut short at 5 s (check.mjs runs it for `ipsKept`).
import type { ScenarioReport } from "./scenario-runner";

export interface ScenarioExpect {
  hosts?: Record<string, { state: string }>;
  vms?: Record<
    string,
    {
      power?: string;
      powerNot?: string;
      hostIn?: string[];
      deviceTags?: string[];
      deviceCount?: number;
      sessions?: number;
      sessionsOn?: string[];
      neverDown?: boolean;
      ipsKept?: boolean;
    }
  >;
  vmsAll?: { power?: string };
  alerts?: { kind: string; vm?: string; host?: string }[];
  noAlerts?: { kind: string; vm?: string; host?: string }[];
  recoveryMax?: Record<string, number>;
  startOrder?: string[];
  uniqueIps?: boolean;
  ipsInRange?: Record<string, [string, string]>;
  uniqueDevices?: boolean;
  runningCount?: { among: string[]; equals: number };
  violations?: number;
}

const ipNum = (ip: string) => ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);
const match = (a: { kind: string; vm?: string | null; host?: string | null }, want: { kind: string; vm?: string; host?: string }) =>
  a.kind === want.kind && (!want.vm || a.vm === want.vm) && (!want.host || a.host === want.host);

export function checkScenarioReport(report: ScenarioReport, expect: ScenarioExpect, ipsKeptBaseline?: ScenarioReport | null): string[] {
  const fails: string[] = [];
  const vms = report.final?.vms ?? {};
  const hosts = report.final?.hosts ?? {};
  const alerts = report.alerts ?? [];
  const recovery = report.recovery ?? [];
  for (const [h, w] of Object.entries(expect.hosts ?? {})) if (hosts[h]?.state !== w.state) fails.push(`host ${h} is ${hosts[h]?.state}, want ${w.state}`);
  for (const [v, w] of Object.entries(expect.vms ?? {})) {
    const got = vms[v];
    if (!got) {
      fails.push(`vm ${v} missing from report`);
      continue;
    }
    if (w.power && got.power !== w.power) fails.push(`vm ${v} is ${got.power} on ${got.host}, want ${w.power}`);
    if (w.powerNot && got.power === w.powerNot) fails.push(`vm ${v} is ${got.power} on ${got.host}, want not ${w.powerNot}`);
    if (w.hostIn && !w.hostIn.includes(got.host as string)) fails.push(`vm ${v} on ${got.host}, want one of ${w.hostIn}`);
    const devs = got.devices ?? [];
    if (w.deviceTags) for (const t of w.deviceTags) if (!devs.some((d) => d.tag === t)) fails.push(`vm ${v} has no device tagged ${t}`);
    if (w.deviceCount !== undefined && devs.length !== w.deviceCount) fails.push(`vm ${v} has ${devs.length} devices, want ${w.deviceCount}`);
    const ses = got.diskSessions ?? [];
    if (w.sessions !== undefined && ses.length !== w.sessions) fails.push(`vm ${v} has ${ses.length} disk sessions, want ${w.sessions}`);
    if (w.sessionsOn && !ses.every((s) => w.sessionsOn!.includes(s.controller))) fails.push(`vm ${v} sessions on ${ses.map((s) => s.controller)}, want ${w.sessionsOn}`);
    if (w.neverDown && recovery.some((r) => r.vm === v)) fails.push(`vm ${v} went down`);
  }
  if (expect.vmsAll?.power) for (const [v, got] of Object.entries(vms)) if (got.power !== expect.vmsAll.power) fails.push(`vm ${v} is ${got.power}, want ${expect.vmsAll.power}`);
  for (const w of expect.alerts ?? []) if (!alerts.some((a) => match(a, w))) fails.push(`no alert ${JSON.stringify(w)}`);
  for (const w of expect.noAlerts ?? []) if (alerts.some((a) => match(a, w))) fails.push(`unwanted alert ${JSON.stringify(w)}`);
  for (const [v, max] of Object.entries(expect.recoveryMax ?? {})) {
    const r = recovery.find((x) => x.vm === v);
    if (!r || r.runningAt == null) fails.push(`vm ${v} has no recovery entry`);
    else if (r.runningAt - r.downAt > max) fails.push(`vm ${v} recovered in ${r.runningAt - r.downAt}s, want <= ${max}s`);
  }
  if (expect.startOrder) {
    const at = expect.startOrder.map((v) => recovery.find((x) => x.vm === v)?.runningAt ?? Infinity);
    for (let i = 1; i < at.length; i++) if (at[i] < at[i - 1]) fails.push(`start order ${expect.startOrder} broken: ${at}`);
  }
  const allIps = Object.values(vms).flatMap((x) => x.ips ?? []);
  if (expect.uniqueIps && new Set(allIps).size !== allIps.length) fails.push(`duplicate IPs: ${allIps}`);
  for (const [lo, hi] of Object.values(expect.ipsInRange ?? {}))
    for (const ip of allIps) if (ipNum(ip) < ipNum(lo) || ipNum(ip) > ipNum(hi)) fails.push(`IP ${ip} outside pool ${lo}-${hi}`);
  if (expect.uniqueDevices) {
    const ids = Object.values(vms)
      .filter((x) => x.power === "running")
      .flatMap((x) => (x.devices ?? []).map((d) => d.device));
    if (new Set(ids).size !== ids.length) fails.push(`device given twice: ${ids}`);
  }
  if (expect.runningCount) {
    const n = expect.runningCount.among.filter((v) => vms[v]?.power === "running").length;
    if (n !== expect.runningCount.equals) fails.push(`${n} running, want ${expect.runningCount.equals}`);
  }
  if (expect.violations !== undefined && (report.violations ?? []).length !== expect.violations)
    fails.push(`violations: ${JSON.stringify(report.violations).slice(0, 200)}`);
  if (Object.values(expect.vms ?? {}).some((w) => w.ipsKept)) {
    for (const [v, w] of Object.entries(expect.vms ?? {})) {
      if (!w.ipsKept) continue;
      const before = JSON.stringify([...(ipsKeptBaseline?.final?.vms?.[v]?.ips ?? [])].sort());
      const after = JSON.stringify([...(vms[v]?.ips ?? [])].sort());
      if (before !== after || before === "[]") fails.push(`vm ${v} IPs ${before} -> ${after}`);
    }
  }
  return fails;
}
