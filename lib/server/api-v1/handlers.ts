import "server-only";
// The shared body of the /api/v1 resource routes: query parameters checked against their zod
// schema (400 naming the parameter), the caller's role (session cookie or personal API token),
// answers parsed through their zod schema (exactly the documented fields), and `format=csv` for
// the lists (every matching row, not one page).
import { z } from "zod";
import type { Role } from "@/lib/schemas/auth";
import { requireRequestRole } from "@/lib/server/auth/request";
import type { Principal } from "@/lib/server/auth/principal";
import { zodPathErrors, type FieldErrors } from "@/lib/server/errors";
import { HttpError, json, readBodyText, checkJsonContentType, parseJsonBody } from "@/lib/server/http/problem";

/** Field errors by parameter or field; an unknown one is named as such (not a form-level error). */
function fieldErrorsOf(err: z.ZodError, what: string): FieldErrors {
  const out: FieldErrors = {};
  const rest: z.core.$ZodIssue[] = [];
  for (const issue of err.issues) {
    if (issue.code === "unrecognized_keys" && issue.path.length === 0) for (const k of issue.keys) (out[k] ??= []).push(`Unknown ${what} ${k}`);
    else rest.push(issue);
  }
  if (rest.length) Object.assign(out, zodPathErrors(new z.ZodError(rest)));
  return out;
}

/** The URL's query parameters checked against `schema` (first value of a repeated parameter). */
export function queryOf<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) if (!(k in raw)) raw[k] = v;
  const r = schema.safeParse(raw);
  if (!r.success) {
    const errors = fieldErrorsOf(r.error, "query parameter");
    throw new HttpError(400, `Invalid query parameters: ${Object.entries(errors).map(([k, m]) => `${k}: ${m.join("; ")}`).join(" | ")}`, errors);
  }
  return r.data;
}

/** An optional JSON body checked against `schema` (an empty body is `{}`). */
export async function bodyOf<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  checkJsonContentType(req.headers.get("content-type"));
  const text = await readBodyText(req, 16 * 1024);
  const r = schema.safeParse(text.trim() ? parseJsonBody(text) : {});
  if (!r.success) {
    const errors = fieldErrorsOf(r.error, "field");
    throw new HttpError(400, `Invalid body: ${Object.entries(errors).map(([k, m]) => `${k}: ${m.join("; ")}`).join(" | ")}`, errors);
  }
  return r.data;
}

export async function caller(req: Request, need: Role): Promise<Principal> {
  return requireRequestRole(req, need);
}

/** A JSON answer that carries exactly `schema`'s fields. */
export function answer<S extends z.ZodType>(schema: S, data: unknown, status = 200): Response {
  return json(schema.parse(data), { status });
}

/** The decoded `[id]` path segment. */
export async function idParam(ctx: { params: Promise<{ id: string }> }): Promise<string> {
  const { id } = await ctx.params;
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

// ------------------------------------------------------------------ CSV

const CSV_MAX_ROWS = 100_000;

function cell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = "";
  else if (Array.isArray(v)) s = v.map((x) => (x !== null && typeof x === "object" ? ((x as { name?: unknown }).name ?? JSON.stringify(x)) : String(x))).join(" ");
  else if (typeof v === "object") s = JSON.stringify(v);
  else s = String(v);
  // A spreadsheet runs a cell that starts with = + - @ as a formula: names are user input.
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV: the columns of the row schema, a nested object as `<field>.<key>` columns. */
export function toCsv(rowSchema: z.ZodObject, rows: Record<string, unknown>[]): string {
  const cols: { header: string; get: (r: Record<string, unknown>) => unknown }[] = [];
  for (const [k, s] of Object.entries(rowSchema.shape)) {
    let inner: z.ZodType = s as z.ZodType;
    while (inner instanceof z.ZodNullable || inner instanceof z.ZodOptional) inner = (inner as z.ZodNullable<z.ZodType>).unwrap();
    if (inner instanceof z.ZodObject) {
      for (const sub of Object.keys(inner.shape)) cols.push({ header: `${k}.${sub}`, get: (r) => (r[k] as Record<string, unknown> | null)?.[sub] });
    } else cols.push({ header: k, get: (r) => r[k] });
  }
  const lines = [cols.map((c) => cell(c.header)).join(",")];
  for (const r of rows) lines.push(cols.map((c) => cell(c.get(r))).join(","));
  return lines.join("\r\n") + "\r\n";
}

export function csvResponse(name: string, text: string): Response {
  return new Response(text, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}.csv"`, "cache-control": "no-store" },
  });
}

interface PageLike {
  rows: unknown[];
  total: number;
}

/** A paged list as JSON (one page) or, with format=csv, every matching row as CSV. */
export async function listAnswer<P extends PageLike>(opts: {
  format: "json" | "csv";
  page: number;
  pageSize: number;
  pageSchema: z.ZodType;
  rowSchema: z.ZodObject;
  name: string;
  fetch: (page: number, pageSize: number) => Promise<P>;
}): Promise<Response> {
  if (opts.format === "json") return answer(opts.pageSchema, await opts.fetch(opts.page, opts.pageSize));
  const rows: Record<string, unknown>[] = [];
  for (let page = 1; rows.length < CSV_MAX_ROWS; page++) {
    const p = await opts.fetch(page, 200);
    for (const r of p.rows) rows.push(opts.rowSchema.parse(r) as Record<string, unknown>);
    if (p.rows.length < 200 || rows.length >= p.total) break;
  }
  return csvResponse(opts.name, toCsv(opts.rowSchema, rows));
}
