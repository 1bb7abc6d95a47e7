// The agent's log: one line per event on stderr (journald adds the time under systemd), or JSON
// lines with --log-json. Levels: error, warn, info, debug.
export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof LEVELS;

export function createLogger(opts: { level?: LogLevel; json?: boolean; name?: string; write?: (line: string) => void } = {}): Logger {
  const max = LEVELS[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const emit = (level: LogLevel) => (msg: string) => {
    if (LEVELS[level] > max) return;
    const time = new Date().toISOString();
    write(opts.json ? JSON.stringify({ time, level, ...(opts.name ? { agent: opts.name } : {}), msg }) : `${time} ${level.padEnd(5)} ${opts.name ? `[${opts.name}] ` : ""}${msg}`);
  };
  return { error: emit("error"), warn: emit("warn"), info: emit("info"), debug: emit("debug") };
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
