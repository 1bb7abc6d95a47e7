import "server-only";
// RFC 9457 problem details for the agent protocol and the JSON API. Every error a route answers
// is `application/problem+json` with type, title, status, detail (and `errors`, field path →
// messages, for validation). A stack never reaches the client; it goes to stderr.
import { isAppError, type AppErrorCode, type FieldErrors } from "@/lib/server/errors";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
/** Where the problem types are described (docs/agent-protocol.md, "Errors"). */
export const PROBLEM_BASE = "https://haven.invalid/problems/";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Field path ("vms.0.generation") → messages. */
  errors?: FieldErrors;
}

/** HTTP statuses of service error codes. A validation error of a request is a 400 here. */
export const HTTP_STATUS: Record<AppErrorCode, number> = {
  NOT_FOUND: 404,
  VALIDATION: 400,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHORIZED: 401,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ["validation", "The request is invalid"],
  401: ["unauthorized", "Authentication required"],
  403: ["forbidden", "Not allowed"],
  404: ["not-found", "Not found"],
  405: ["method-not-allowed", "Method not allowed"],
  409: ["conflict", "Conflict"],
  413: ["payload-too-large", "Request body too large"],
  415: ["unsupported-media-type", "Unsupported media type"],
  429: ["rate-limited", "Too many requests"],
  500: ["internal", "Internal server error"],
  503: ["unavailable", "Service unavailable"],
};

/** A response as plain parts (the route handlers wrap them in a Response; the agent listener writes them). */
export interface ResponseParts {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A problem+json answer as parts. */
export function problemParts(status: number, detail?: string, extra: { errors?: FieldErrors; type?: string; title?: string } = {}): ResponseParts {
  const [slug, title] = TITLES[status] ?? ["error", "Error"];
  const body: Problem = { type: extra.type ?? PROBLEM_BASE + slug, title: extra.title ?? title, status };
  if (detail) body.detail = detail;
  if (extra.errors && Object.keys(extra.errors).length) body.errors = extra.errors;
  const headers: Record<string, string> = { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="haven"';
  return { status, headers, body: JSON.stringify(body) };
}

/** A thrown error as problem parts. AppErrors keep their message; anything else is a 500 whose stack is logged, never sent. */
export function errorParts(err: unknown, where = "route"): ResponseParts {
  if (err instanceof HttpError) return problemParts(err.status, err.message, { errors: err.fieldErrors });
  if (isAppError(err)) {
    const status = HTTP_STATUS[err.code] ?? 500;
    if (status >= 500) logError(err, where);
    return problemParts(status, status >= 500 && err.code === "INTERNAL" ? "Something went wrong on the server" : err.message, { errors: err.fieldErrors });
  }
  logError(err, where);
  return problemParts(500, "Something went wrong on the server");
}

function toResponse(p: ResponseParts, extraHeaders?: HeadersInit): Response {
  const headers = new Headers(extraHeaders);
  for (const [k, v] of Object.entries(p.headers)) if (!(k === "www-authenticate" && headers.has(k))) headers.set(k, v);
  return new Response(p.body, { status: p.status, headers });
}

/** A problem+json response. */
export function problem(status: number, detail?: string, extra: { errors?: FieldErrors; type?: string; title?: string; headers?: HeadersInit } = {}): Response {
  return toResponse(problemParts(status, detail, extra), extra.headers);
}

/** A thrown error as a problem response. */
export function problemFromError(err: unknown, where = "route"): Response {
  return toResponse(errorParts(err, where));
}

function logError(err: unknown, where: string): void {
  const e = err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
  process.stderr.write(JSON.stringify({ level: "error", name: "http", where, err: e, msg: "request failed" }) + "\n");
}

/** An error that already knows its HTTP status (body too large, bad JSON). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Wraps a route handler: any throw becomes problem+json. */
export function withProblems<A extends unknown[]>(where: string, handler: (...args: A) => Promise<Response> | Response): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (err) {
      return problemFromError(err, where);
    }
  };
}

export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The request body parsed as JSON, refusing more than `limit` bytes (413) — by Content-Length
 * when given, and by counting what arrives otherwise — and anything that is not JSON (400).
 */
export async function readJson(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new HttpError(413, `The body is ${declared} bytes; at most ${limit} are accepted`);
  checkJsonContentType(req.headers.get("content-type"));
  return parseJsonBody(await readBodyText(req, limit));
}

/** The request body as text, refusing more than `limit` bytes (413) by Content-Length and by what arrives. */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new HttpError(413, `The body is ${declared} bytes; at most ${limit} are accepted`);
  if (!req.body) return "";
  if (declared !== null && /^\d+$/.test(declared)) {
    // Length declared (and within the limit): read it in one go. The runtime refuses a body
    // longer than its Content-Length.
    const text = await req.text();
    if (Buffer.byteLength(text) > limit) throw new HttpError(413, `The body is larger than ${limit} bytes`);
    return text;
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, `The body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? new TextDecoder().decode(chunks[0]) : new TextDecoder().decode(Buffer.concat(chunks));
}

/** 415 unless the Content-Type (when given) is JSON. */
export function checkJsonContentType(ctype: string | null | undefined): void {
  if (ctype && !/^application\/([a-z.+-]*\+)?json\b/i.test(ctype.trim())) throw new HttpError(415, `Content-Type must be application/json, not ${ctype}`);
}

/** A request body's text as JSON (400 when empty or not JSON). */
export function parseJsonBody(text: string): unknown {
  if (!text.trim()) throw new HttpError(400, "A JSON body is required", { _form: ["A JSON body is required"] });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `The body is not valid JSON: ${(e as Error).message}`, { _form: ["The body is not valid JSON"] });
  }
}

/** A JSON response (no caching: agent and API answers are live). */
export function json(data: unknown, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { status: init.status ?? 200, headers });
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: Request): string | null {
  return parseBearer(req.headers.get("authorization"));
}

/** The token of an Authorization header value, or null. */
export function parseBearer(h: string | null | undefined): string | null {
  if (!h) return null;
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,512})\s*$/i.exec(h);
  return m ? m[1] : null;
}

/**
 * A node:http request's body as text, within `limit` bytes (413 when the declared or the actual
 * size is larger). Shared by the agent listener on the controller's thread and on its own thread.
 */
export function readNodeBody(req: import("node:http").IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new HttpError(413, `The body is ${declared} bytes; at most ${limit} are accepted`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new HttpError(413, `The body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}
