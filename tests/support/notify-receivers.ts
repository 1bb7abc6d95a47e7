// Real counterparts for the notification tests (issue 14): an HTTP receiver that verifies Standard
// Webhooks signatures with the `standardwebhooks` library (and drops repeats of a webhook-id, as a
// receiver should), and an SMTP server (`smtp-server`) that keeps what it receives.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { SMTPServer } from "smtp-server";

export interface ReceivedHook {
  id: string;
  headers: Record<string, string>;
  body: string;
  /** The signature verified with the channel's secret. */
  verified: boolean;
  verifyError: string | null;
  json: unknown;
}

export interface WebhookReceiver {
  port: number;
  url: string;
  /** Every request, repeats included. */
  requests: ReceivedHook[];
  /** Accepted (2xx) deliveries, one per webhook-id. */
  accepted: Map<string, ReceivedHook>;
  /** What the next requests get: a status, or "hang" (never answer). */
  respond: (req: ReceivedHook) => number | "hang";
  secret: string | null;
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: { port?: number; secret?: string | null } = {}): Promise<WebhookReceiver> {
  const r: WebhookReceiver = {
    port: 0,
    url: "",
    requests: [],
    accepted: new Map(),
    respond: () => 204,
    secret: opts.secret ?? null,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]));
      let verified = false;
      let verifyError: string | null = null;
      if (r.secret) {
        try {
          new Webhook(r.secret).verify(body, headers);
          verified = true;
        } catch (e) {
          verifyError = (e as Error).message;
        }
      }
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const hook: ReceivedHook = { id: headers["webhook-id"] ?? headers["idempotency-key"] ?? "", headers, body, verified, verifyError, json };
      r.requests.push(hook);
      const status = r.respond(hook);
      if (status === "hang") return; // the sender's timeout (or its death) ends it
      if (r.secret && !verified) {
        res.writeHead(401).end("bad signature");
        return;
      }
      if (status >= 200 && status < 300 && !r.accepted.has(hook.id)) r.accepted.set(hook.id, hook);
      res.writeHead(status).end(status >= 400 ? `failing on purpose (${status})` : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  r.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | null;
  subject: string | null;
  user: string | null;
}

export interface MailReceiver {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

function header(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/)[0];
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, "im").exec(head);
  return m ? m[1].replace(/\r?\n[ \t]+/g, " ").trim() : null;
}

/** An SMTP server on 127.0.0.1 (no TLS); with `auth`, only that user and password may send. */
export async function startMailReceiver(opts: { auth?: { user: string; pass: string } } = {}): Promise<MailReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: opts.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      return cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((t) => t.address),
          raw,
          messageId: header(raw, "Message-ID"),
          subject: header(raw, "Subject"),
          user: (session.user as string | undefined) ?? null,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
