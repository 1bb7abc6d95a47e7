// The dashboard's list of VMs away from their preferred host (a VM-host group's host order): device
// VMs that can only move back by a power-cycle (Move back on the VM page), and standard VMs that
// failback leaves where they are for now.
import Link from "next/link";
import { Card, CardHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";

export interface AwayVmRow {
  vmId: string;
  vmName: string;
  fromHostId: string;
  fromHostName: string;
  toHostId: string;
  toHostName: string;
  powerCycle: boolean;
}

const MAX_ROWS = 25;

export function AwayVms({ rows }: { rows: AwayVmRow[] }) {
  return (
    <Card className="mt-3" aria-labelledby="away-vms-title" data-testid="away-vms">
      <CardHeader id="away-vms-title" title="Away from their preferred host" note={`${rows.length} VM${rows.length === 1 ? "" : "s"} below a better-ranked host that has room now`} />
      <Table>
        <THead>
          <tr>
            <Th>VM</Th>
            <Th>Runs on</Th>
            <Th>Preferred host</Th>
            <Th>Moving back</Th>
          </tr>
        </THead>
        <tbody>
          {rows.slice(0, MAX_ROWS).map((r) => (
            <Tr key={r.vmId}>
              <Td>
                <Link href={`/vms/${r.vmId}`} className={entityLink}>
                  {r.vmName}
                </Link>
              </Td>
              <Td>
                <Link href={`/hosts/${r.fromHostId}`} className={entityLink}>
                  {r.fromHostName}
                </Link>
              </Td>
              <Td>
                <Link href={`/hosts/${r.toHostId}`} className={entityLink}>
                  {r.toHostName}
                </Link>
              </Td>
              <Td>{r.powerCycle ? <Badge tone="amber">power-cycles it (Move back on its page)</Badge> : <Badge tone="neutral">live migration (failback off or waiting)</Badge>}</Td>
            </Tr>
          ))}
          {rows.length > MAX_ROWS && (
            <Tr>
              <Td colSpan={4}>and {rows.length - MAX_ROWS} more</Td>
            </Tr>
          )}
        </tbody>
      </Table>
    </Card>
  );
}
