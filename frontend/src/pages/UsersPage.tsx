import { Badge, Button, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { UserForm } from '@/components/admin/UserForm';
import { ConfirmButton } from '@/components/common/ConfirmButton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { QueryState } from '@/components/common/QueryState';
import { useMe } from '@/hooks/useSession';
import { useCreateUser, useDeactivateUser, useReactivateUser, useUsers } from '@/hooks/useUsers';
import { formatDate, label } from '@/services/format';

/** Admins add staff and customers and switch accounts off and on again. */
export function UsersPage() {
  const me = useMe();
  const users = useUsers();
  const create = useCreateUser();
  const deactivate = useDeactivateUser();
  const reactivate = useReactivateUser();
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        Users
      </Title>
      <Paper withBorder p="md">
        <Title order={4} mb="sm">
          Add a user
        </Title>
        <UserForm
          onSubmit={async (u) => {
            const created = await create.mutateAsync(u);
            notifications.show({ color: 'green', message: `${created.email} can now sign in.` });
          }}
        />
      </Paper>
      {deactivate.error ? <ProblemAlert error={deactivate.error} /> : null}
      {reactivate.error ? <ProblemAlert error={reactivate.error} /> : null}
      <QueryState query={users}>
        {(list) => (
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing="xs" aria-label="Users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Customer</Table.Th>
                  <Table.Th>Since</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.name}</Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>
                      <Badge variant="light">{label(u.role)}</Badge>
                    </Table.Td>
                    <Table.Td>{u.customer_id ?? '—'}</Table.Td>
                    <Table.Td>{formatDate(u.created_at)}</Table.Td>
                    <Table.Td>
                      {!u.active ? (
                        <Stack gap={4} align="flex-start">
                          <Text size="sm" c="dimmed">
                            Deactivated
                          </Text>
                          <Button
                            size="compact-xs"
                            variant="light"
                            loading={reactivate.isPending && reactivate.variables === u.id}
                            onClick={() => reactivate.mutate(u.id)}
                            aria-label={`Reactivate ${u.email}`}
                          >
                            Reactivate
                          </Button>
                        </Stack>
                      ) : u.id !== me.id ? (
                        <ConfirmButton
                          size="compact-xs"
                          variant="light"
                          color="red"
                          loading={deactivate.isPending && deactivate.variables === u.id}
                          title={`Deactivate ${u.email}?`}
                          consequence="They lose access at once: whatever they are doing is cut off and cannot be saved, and they cannot sign in. An admin can reactivate the account later."
                          confirmLabel="Deactivate"
                          onConfirm={() => deactivate.mutate(u.id)}
                          aria-label={`Deactivate ${u.email}`}
                        >
                          Deactivate
                        </ConfirmButton>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Stack>
  );
}
