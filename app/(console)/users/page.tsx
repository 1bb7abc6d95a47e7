import type { Metadata } from "next";
import { Card, CardBody } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { fmtDateTime } from "@/components/ui/format";
import { DeleteDialog } from "@/components/forms/delete-dialog";
import { NewUserForm, RolePicker } from "@/components/auth/user-forms";
import { ROLE_SUMMARY, ROLES } from "@/lib/schemas/auth";
import { requirePageRole } from "@/lib/server/auth/session";
import { listUsers } from "@/lib/server/auth/users";
import { createUserAction, deleteUserAction, setUserRoleAction } from "./actions";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await requirePageRole("admin");
  const users = await listUsers({ principal: me });
  return (
    <>
      <PageHeader title="Users" description="Who may sign in to the console, and what each may do." />
      <Card className="mb-4">
        <CardBody>
          <dl className="grid gap-1 text-[12.5px] text-zinc-600 md:grid-cols-3">
            {ROLES.map((r) => (
              <div key={r}>
                <dt className="font-medium text-zinc-900">{r}</dt>
                <dd>{ROLE_SUMMARY[r]}</dd>
              </div>
            ))}
          </dl>
        </CardBody>
      </Card>
      <Card className="mb-4">
        <CardBody>
          <h2 className="mb-3 text-[13px] font-semibold text-zinc-900">New user</h2>
          <NewUserForm action={createUserAction} />
        </CardBody>
      </Card>
      <Card>
        <Table label="Users">
          <THead>
            <tr>
              <Th>Email</Th>
              <Th>Name</Th>
              <Th>Role</Th>
              <Th>Created</Th>
              <Th align="right">
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </THead>
          <tbody>
            {users.map((u) => (
              <Tr key={u.id}>
                <Td className="font-medium">
                  {u.email}
                  {u.id === me.id && <span className="ml-1.5 text-[11.5px] text-zinc-500">(you)</span>}
                </Td>
                <Td>{u.name}</Td>
                <Td>
                  <RolePicker id={u.id} role={u.role} email={u.email} action={setUserRoleAction} />
                </Td>
                <Td className="whitespace-nowrap text-[12px] text-zinc-600">{fmtDateTime(u.createdAt.toISOString())}</Td>
                <Td align="right">
                  {u.id !== me.id && (
                    <DeleteDialog action={deleteUserAction} id={u.id} title={`Delete ${u.email}?`} description="Their sessions end at once. Audit rows keep their email." size="sm" />
                  )}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </>
  );
}
