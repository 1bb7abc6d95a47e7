import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { fmtDateTime, fmtInt } from "@/components/ui/format";
import { inputClass } from "@/components/forms/fields";
import { buttonClass } from "@/components/ui/button";
import { requirePageRole } from "@/lib/server/auth/session";
import { listAudit } from "@/lib/server/audit";
import { isAppError } from "@/lib/server/errors";
import { nameAuditEntities, type AuditEntityName } from "@/lib/server/queries/audit-names";
import { entityLink } from "@/components/ui/table";

export const metadata: Metadata = { title: "Audit log" };

type SP = Record<string, string | string[] | undefined>;

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function pretty(json: string | null): string {
  if (!json) return "—";
  try {
    return JSON.stringify(JSON.parse(json), null, 1);
  } catch {
    return json;
  }
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SP> }) {
  const me = await requirePageRole("admin");
  const sp = await searchParams;
  const raw = { actor: one(sp.actor), action: one(sp.action), entity: one(sp.entity), from: one(sp.from), to: one(sp.to), page: one(sp.page) };
  let result: Awaited<ReturnType<typeof listAudit>> | null = null;
  let error: string | null = null;
  let names: Awaited<ReturnType<typeof nameAuditEntities>> = {};
  try {
    result = await listAudit(raw, { principal: me });
    names = await nameAuditEntities(result.rows);
  } catch (e) {
    if (!isAppError(e)) throw e;
    error = `${e.message}: ${Object.entries(e.fieldErrors ?? {}).map(([k, v]) => `${k} — ${v.join(", ")}`).join("; ")}`;
  }
  const qs = (page: number) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(raw)) if (v && k !== "page") p.set(k, v);
    if (page > 1) p.set("page", String(page));
    const s = p.toString();
    return s ? `/audit?${s}` : "/audit";
  };
  return (
    <>
      <PageHeader title="Audit log" description="Every admin and operator change: who, what, when, before and after." />
      <Card>
        <form action="/audit" method="get" aria-label="Filter the audit log" className="flex flex-wrap items-end gap-2 border-b border-zinc-200 px-4 py-3 text-[12.5px]">
          <label className="flex flex-col gap-0.5">
            Actor
            <input name="actor" defaultValue={raw.actor ?? ""} placeholder="email" className={inputClass} />
          </label>
          <label className="flex flex-col gap-0.5">
            Action
            <select name="action" defaultValue={raw.action ?? ""} className={inputClass}>
              <option value="">Any action</option>
              {(result?.actions ?? []).map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-0.5">
            Entity
            <input name="entity" defaultValue={raw.entity ?? ""} placeholder="host:… or vm:…" className={inputClass} />
          </label>
          <label className="flex flex-col gap-0.5">
            From
            <input type="date" name="from" defaultValue={raw.from ?? ""} className={inputClass} />
          </label>
          <label className="flex flex-col gap-0.5">
            To
            <input type="date" name="to" defaultValue={raw.to ?? ""} className={inputClass} />
          </label>
          <button type="submit" className={buttonClass("primary")}>
            Filter
          </button>
          <Link href="/audit" className={buttonClass("ghost")}>
            Reset
          </Link>
        </form>
        {error && (
          <p role="alert" className="px-4 py-3 text-[13px] text-red-700">
            {error}
          </p>
        )}
        {result && (
          <>
            <Table label="Audit log">
              <THead>
                <tr>
                  <Th>When</Th>
                  <Th>Who</Th>
                  <Th>Action</Th>
                  <Th>Entity</Th>
                  <Th>Before</Th>
                  <Th>After</Th>
                </tr>
              </THead>
              <tbody>
                {result.rows.map((r) => (
                  <Tr key={r.id}>
                    <Td className="whitespace-nowrap text-[12px] text-zinc-600">{fmtDateTime(r.at.toISOString())}</Td>
                    <Td className="whitespace-nowrap">{r.actor}</Td>
                    <Td className="whitespace-nowrap font-mono text-[12px]">{r.action}</Td>
                    <Td className="whitespace-nowrap text-[12.5px]">
                      <AuditEntity entity={r.entity} name={names[r.entity]} />
                    </Td>
                    <Td>
                      <pre className="max-h-40 max-w-[22rem] overflow-auto whitespace-pre-wrap break-all text-[11px] text-zinc-600">{pretty(r.before)}</pre>
                    </Td>
                    <Td>
                      <pre className="max-h-40 max-w-[22rem] overflow-auto whitespace-pre-wrap break-all text-[11px] text-zinc-700">{pretty(r.after)}</pre>
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
            {result.rows.length === 0 && <p className="px-4 py-8 text-center text-[13px] text-zinc-500">No change matches these filters.</p>}
            <nav aria-label="Audit pages" className="flex items-center justify-between border-t border-zinc-200 px-4 py-2 text-[12.5px] text-zinc-600">
              <span>
                {fmtInt(result.total)} change{result.total === 1 ? "" : "s"} · page {result.page} of {result.pages}
              </span>
              <span className="flex gap-2">
                {result.page > 1 && (
                  <Link href={qs(result.page - 1)} className="text-blue-700 hover:underline">
                    Newer
                  </Link>
                )}
                {result.page < result.pages && (
                  <Link href={qs(result.page + 1)} className="text-blue-700 hover:underline">
                    Older
                  </Link>
                )}
              </span>
            </nav>
          </>
        )}
      </Card>
    </>
  );
}

/** The entity's name (linked while it exists), with its type and id beside it. */
function AuditEntity({ entity, name }: { entity: string; name: AuditEntityName | undefined }) {
  const type = entity.includes(":") ? entity.slice(0, entity.indexOf(":")) : null;
  if (!name) return <span className="font-mono text-[12px]">{entity}</span>;
  return (
    <span className="flex flex-col" data-testid="audit-entity">
      <span>
        {name.href ? (
          <Link href={name.href} className={entityLink}>
            {name.name}
          </Link>
        ) : (
          name.name
        )}
        {name.deleted && <span className="ml-1 text-[11.5px] text-zinc-500">(deleted)</span>}
      </span>
      <span className="font-mono text-[11px] text-zinc-500" title={entity}>
        {type ?? ""} {entity.slice((type?.length ?? -1) + 1, (type?.length ?? -1) + 9)}…
      </span>
    </span>
  );
}
