// haven-agent: the real host agent.
//   haven-agent discover [--sysfs-root DIR] [--json] [--name HOST]
//   haven-agent run --console URL --token T [--libvirt URI] [--sysfs-root DIR] [--name HOST]
//                   [--dry-run] [--watchdog PATH] [--state-dir DIR] …
//   haven-agent domain-xml --command FILE [--name HOST] [--sysfs-root DIR] …
// `npm run agent -- …` runs it from a checkout; the npm bin `haven-agent` from an install.
import fs from "node:fs";
import os from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { ZAgentCommand } from "../schemas/agent";
import { HostAgent } from "./agent";
import { prepareDevices } from "./devices";
import { discover, nameDevices, readLinks, type HostInventory } from "./discover";
import { buildDomainXml, DEFAULT_DISK_SOURCE, planDomain, type PlanOptions, type StartCommandLike } from "./domain-xml";
import { VirshHypervisor } from "./libvirt";
import { createLogger, type LogLevel } from "./log";
import { createProtocolClient } from "./protocol-client";
import { openState } from "./state";
import { openWatchdog } from "./watchdog";

export const AGENT_VERSION = "haven-agent/0.1.0";

const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("a number of seconds");
  return n;
};

function hostName(opt: string | undefined): string {
  const n = (opt ?? os.hostname().split(".")[0]).trim();
  if (!n || n.length > 64) throw new InvalidArgumentError("a host name of 1–64 characters");
  return n;
}

function virtType(opt: string | undefined): "kvm" | "qemu" {
  if (opt === "kvm" || opt === "qemu") return opt;
  return fs.existsSync("/dev/kvm") ? "kvm" : "qemu";
}

function printInventory(inv: HostInventory, out: (s: string) => void): void {
  out(`GPUs (${inv.gpus.length})`);
  for (const g of inv.gpus) {
    const vgpu = g.vgpuTypes.length ? `  vGPU types: ${g.vgpuTypes.map((t) => `${t.profile}${t.available ? `×${t.available}` : ""}`).join(", ")}` : "";
    const conf = g.vgpuProfile ? `  configured: ${g.vgpuProfile} ×${g.vgpuInstances}` : "";
    out(`  ${g.name ?? "-"}  ${g.pciAddress}  ${g.model}  [${g.vendorId}:${g.deviceId}]  driver ${g.driver ?? "none"}  NUMA ${g.numaNode ?? "-"}  IOMMU group ${g.iommuGroup ?? "-"}  ${g.identity}`);
    if (g.sriov) out(`      SR-IOV: ${g.sriov.numVfs}/${g.sriov.totalVfs} VFs`);
    if (vgpu) out(`    ${vgpu}${conf}`);
  }
  out(`NICs (${inv.nics.length})`);
  for (const n of inv.nics)
    out(`  ${n.name}  ${n.pciAddress ?? "-"}  ${n.model ?? ""}  link ${n.linkUp ? "up" : "down"}${n.speedMbps ? ` ${n.speedMbps} Mb/s` : ""}${n.bond ? `  bond ${n.bond}` : ""}${n.sriov ? `  SR-IOV ${n.sriov.numVfs}/${n.sriov.totalVfs} VFs` : ""}  ${n.identity}`);
  if (inv.bonds.length) {
    out(`Bonds (${inv.bonds.length})`);
    for (const b of inv.bonds) out(`  ${b.name}  ${b.mode ?? ""}  members ${b.members.join(", ") || "none"}  up ${b.membersUp.join(", ") || "none"}`);
  }
  for (const w of inv.warnings) out(`warning: ${w}`);
  if (!inv.pciIdsAvailable) out("note: no pci.ids found (Debian: apt-get install pci.ids): models are shown by id");
}

interface PlanFlags {
  sysfsRoot: string;
  bridge?: string;
  diskSource: string;
  virtType?: string;
  machine: string;
  serialLogDir?: string;
}

function planOptions(host: string, inventory: HostInventory, f: PlanFlags): PlanOptions {
  return { host, inventory, virtType: virtType(f.virtType), machine: f.machine, bridge: f.bridge ?? null, diskSource: f.diskSource, serialLogDir: f.serialLogDir ?? null };
}

function addPlanFlags(c: Command): Command {
  return c
    .option("--sysfs-root <dir>", "sysfs to discover devices from", "/sys")
    .option("--bridge <name>", "bridge for the VMs' addresses (one virtio NIC per address); none by default")
    .option("--disk-source <template>", "where disk i lives: a path with {vmId} {vmName} {index} {controller}, or iscsi://{controller}:3260/<iqn>/{index}", DEFAULT_DISK_SOURCE)
    .addOption(new Option("--virt-type <type>", "kvm (default with /dev/kvm) or qemu (TCG)").choices(["kvm", "qemu"]))
    .option("--machine <type>", "QEMU machine type", "q35")
    .option("--serial-log-dir <dir>", "serial console of each guest to <dir>/<domain>.log (default: a pty)");
}

export function buildProgram(): Command {
  const program = new Command().name("haven-agent").description("Haven's host agent: device discovery and VMs through libvirt").version(AGENT_VERSION);

  program
    .command("discover")
    .description("print this host's GPUs, vGPU types, SR-IOV NICs and bonds")
    .option("--sysfs-root <dir>", "sysfs root", "/sys")
    .option("--json", "JSON output")
    .option("--name <host>", "host name for device names (default: this machine's)")
    .option("--state-dir <dir>", "keep device names from this agent state directory (read only)")
    .action((o: { sysfsRoot: string; json?: boolean; name?: string; stateDir?: string }) => {
      const inv = discover(o.sysfsRoot);
      let previous;
      if (o.stateDir && fs.existsSync(o.stateDir)) previous = openState(o.stateDir).loadNames();
      nameDevices(inv, hostName(o.name), previous);
      if (o.json) process.stdout.write(JSON.stringify(inv, null, 2) + "\n");
      else printInventory(inv, (s) => process.stdout.write(s + "\n"));
    });

  addPlanFlags(
    program
      .command("domain-xml")
      .description("print the libvirt domain XML for a start-vm command (JSON, as GET /api/agent/v1/commands returns it)")
      .requiredOption("--command <file>", "the command as JSON ('-' for stdin)")
      .option("--name <host>", "this host's name (default: this machine's)"),
  ).action((o: PlanFlags & { command: string; name?: string }) => {
    const raw = JSON.parse(fs.readFileSync(o.command === "-" ? 0 : o.command, "utf8"));
    const cmd = ZAgentCommand.parse(raw);
    if (cmd.kind !== "start-vm") throw new InvalidArgumentError(`a start-vm command (got ${cmd.kind})`);
    const host = hostName(o.name);
    const inv = discover(o.sysfsRoot);
    nameDevices(inv, host);
    const { spec } = planDomain(cmd as StartCommandLike, planOptions(host, inv, o));
    process.stdout.write(buildDomainXml(spec));
  });

  addPlanFlags(
    program
      .command("run")
      .description("register with the console and run its VMs on this host")
      .requiredOption("--console <url>", "the console (or its agent listener), e.g. http://haven:3000")
      .option("--token <token>", "the agent token an admin issued (or HAVEN_AGENT_TOKEN, or --token-file)")
      .option("--token-file <file>", "read the issued token from a file (read again at every registration attempt: an admin may drop a new token there)")
      .option("--libvirt <uri>", "libvirt connection", "qemu:///system")
      .option("--migrate-uri <template>", "another host's libvirt for live migration, {host} = its name in the console (e.g. qemu+ssh://{host}/system); without it migrate-vm is refused")
      .option("--name <host>", "this host's name in the console's inventory (default: this machine's)")
      .option("--state-dir <dir>", "token, device names and timings across restarts", "/var/lib/haven-agent")
      .option("--dry-run", "print each start's domain XML instead of starting it (the start is acknowledged failed)")
      .option("--auto-add", "on a host the console's inventory has no devices for yet: add every device found (otherwise they wait on the host page for an admin)")
      .option("--no-reconcile", "do not ask the console to reconcile its inventory with the devices found (report them only)")
      .option("--watchdog <path>", "keep this watchdog armed; it fires when the host is isolated and could not power its guests off")
      .option("--stop-timeout <s>", "graceful shutdown before destroy for power-off/maintenance stops (0 = destroy)", seconds, 30)
      .option("--isolation-timeout <s>", "isolation timeout until the console gives one at registration", seconds)
      .addOption(new Option("--log-level <level>", "log level").choices(["error", "warn", "info", "debug"]).default("info"))
      .option("--log-json", "log JSON lines"),
  ).action(
    async (
      o: PlanFlags & {
        console: string;
        token?: string;
        tokenFile?: string;
        libvirt: string;
        migrateUri?: string;
        name?: string;
        stateDir: string;
        dryRun?: boolean;
        autoAdd?: boolean;
        reconcile: boolean;
        watchdog?: string;
        stopTimeout: number;
        isolationTimeout?: number;
        logLevel: LogLevel;
        logJson?: boolean;
      },
    ) => {
      const host = hostName(o.name);
      const log = createLogger({ level: o.logLevel, json: o.logJson, name: host });
      const fixed = (o.token ?? process.env.HAVEN_AGENT_TOKEN ?? "").trim();
      const tokenFile = o.tokenFile;
      const token = fixed || !tokenFile ? fixed : () => fs.readFileSync(tokenFile, "utf8");
      const state = openState(o.stateDir);
      if (!fixed && !tokenFile && !state.tokens.load()) throw new InvalidArgumentError("--token, --token-file or HAVEN_AGENT_TOKEN: the agent token an admin issued for this host");
      const hypervisor = new VirshHypervisor({ uri: o.libvirt });
      let names = state.loadNames();
      let inventory: HostInventory = discover(o.sysfsRoot);
      names = nameDevices(inventory, host, names);
      state.saveNames(names);
      const saved = state.loadTimings();
      const watchdog = o.watchdog ? openWatchdog(o.watchdog, (m) => log.warn(m)) : null;
      const agent = new HostAgent({
        host,
        client: createProtocolClient({ url: o.console, userAgent: AGENT_VERSION }),
        hypervisor,
        token,
        tokenStore: state.tokens,
        inventory: () => {
          inventory = discover(o.sysfsRoot);
          names = nameDevices(inventory, host, names);
          state.saveNames(names);
          for (const w of inventory.warnings) log.warn(`discovery: ${w}`);
          return inventory;
        },
        links: (n) => readLinks(o.sysfsRoot, n),
        plan: (cmd) => planDomain(cmd, planOptions(host, inventory, o)),
        prepareDevices: (prep) => prepareDevices(o.sysfsRoot, prep),
        migrateUri: o.migrateUri ? (h) => o.migrateUri!.replace(/\{host\}/g, h) : null,
        dryRun: o.dryRun,
        print: (t) => process.stdout.write(t + "\n"),
        watchdog,
        log,
        timings: { ...saved, ...(o.isolationTimeout !== undefined ? { isolationTimeoutMs: o.isolationTimeout * 1000 } : {}) },
        stopTimeoutMs: o.stopTimeout * 1000,
        agentVersion: AGENT_VERSION,
        reconcile: o.reconcile,
        autoAdd: o.autoAdd,
        onRegistered: ({ timings }) => state.saveTimings(timings),
        // The console's GPU names (matched by identity) are this host's names from now on.
        onInventory: (inv) => {
          names = { gpus: { ...names.gpus, ...Object.fromEntries(inv.gpus.map((g) => [g.identity, g.name!])) } };
          state.saveNames(names);
        },
      });
      try {
        log.info(`libvirt ${o.libvirt}: ${(await hypervisor.version()).split("\n").find((l) => /Running hypervisor|Using library/.test(l)) ?? "connected"}`);
      } catch (e) {
        log.warn(`libvirt ${o.libvirt} not reachable yet: ${(e as Error).message}`);
      }
      log.info(`${AGENT_VERSION} for ${host}: console ${o.console}, ${inventory.gpus.length} GPUs, ${inventory.nics.length} NICs${o.dryRun ? ", DRY RUN" : ""}${watchdog ? `, watchdog ${watchdog.path}` : ""}`);
      agent.start();
      const shutdown = async (sig: string) => {
        log.info(`${sig}: stopping (guests keep running)`);
        await agent.stop();
        process.exit(0);
      };
      process.on("SIGTERM", () => void shutdown("SIGTERM"));
      process.on("SIGINT", () => void shutdown("SIGINT"));
    },
  );
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}
