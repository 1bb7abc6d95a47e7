// A small structured logger on stderr (stdout belongs to the scenario report). pino-compatible
// shape, so the server may pass a pino instance instead.
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

export function createStderrLogger(level: Level = (process.env.HAVEN_LOG_LEVEL as Level) ?? "warn", name = "ha"): Logger {
  const min = LEVELS[level] ?? LEVELS.warn;
  const write = (l: Exclude<Level, "silent">) => (obj: object | string, msg?: string) => {
    if (LEVELS[l] < min) return;
    const rec = typeof obj === "string" ? { msg: obj } : { ...obj, msg };
    const err = (rec as { err?: unknown }).err;
    if (err instanceof Error) (rec as { err?: unknown }).err = { message: err.message, stack: err.stack };
    process.stderr.write(JSON.stringify({ level: l, name, ...rec }) + "\n");
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
