// What the agent keeps across restarts in its state directory (default /var/lib/haven-agent):
//   token          the current agent token (registration replaces the issued one; 0600)
//   devices.json   device identity → name, so a card keeps its name when it moves slot
//   timings.json   the console's heartbeat and isolation timeout from the last registration, so an
//                  agent that restarts while the console is away still applies the isolation response
import fs from "node:fs";
import path from "node:path";
import type { AgentTimings, TokenStore } from "./agent";
import type { DeviceNames } from "./discover";

export interface AgentState {
  dir: string;
  tokens: TokenStore;
  loadNames(): DeviceNames;
  saveNames(n: DeviceNames): void;
  loadTimings(): Partial<AgentTimings>;
  saveTimings(t: AgentTimings): void;
}

function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return fallback;
  }
}

function writeAtomic(file: string, text: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

export function openState(dir: string): AgentState {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => path.join(dir, n);
  return {
    dir,
    tokens: {
      load: () => {
        try {
          return fs.readFileSync(f("token"), "utf8").trim() || null;
        } catch {
          return null;
        }
      },
      save: (t) => writeAtomic(f("token"), t + "\n"),
    },
    loadNames: () => readJson<DeviceNames>(f("devices.json"), { gpus: {} }),
    saveNames: (n) => writeAtomic(f("devices.json"), JSON.stringify(n, null, 2) + "\n", 0o644),
    loadTimings: () => readJson<Partial<AgentTimings>>(f("timings.json"), {}),
    saveTimings: (t) => writeAtomic(f("timings.json"), JSON.stringify(t) + "\n", 0o644),
  };
}
