// Optional self-fencing (Proxmox's model): with `--watchdog /dev/watchdog` the agent keeps a
// hardware watchdog (or the kernel's softdog: `modprobe softdog`) armed by writing to it every
// tick. It stops writing only when the host is isolated past the isolation timeout AND it could
// not power its guests off (libvirt hung, say): the watchdog then resets the host, so its guests
// are certainly gone before the console starts them elsewhere. A clean exit writes the magic 'V'
// so the watchdog is disarmed; a crash of the agent leaves it armed (the host resets unless the
// agent is restarted in time — systemd's Restart=always does that).
import fs from "node:fs";

export interface Watchdog {
  pet(): void;
  close(): void;
  readonly path: string;
}

export function openWatchdog(path: string, log?: (msg: string) => void): Watchdog {
  const fd = fs.openSync(path, "w");
  let open = true;
  let lastError = "";
  return {
    path,
    pet() {
      if (!open) return;
      try {
        fs.writeSync(fd, "\0");
      } catch (e) {
        const msg = (e as Error).message;
        if (msg !== lastError) log?.(`watchdog ${path}: ${msg}`);
        lastError = msg;
      }
    },
    close() {
      if (!open) return;
      open = false;
      try {
        fs.writeSync(fd, "V");
      } catch {
        /* already gone */
      }
      fs.closeSync(fd);
    },
  };
}
