import {
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { UserForm } from '@/components/admin/UserForm';
import { ConfirmButton } from '@/components/common/ConfirmButton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { QueryState } from '@/components/common/QueryState';
import { useMe } from '@/hooks/useSession';
import {
  useChangeUserRole,
  useCreateUser,
  useDeactivateUser,
  useReactivateUser,
  useSendPasswordReset,
  useUsers,
} from '@/hooks/useUsers';
import { formatDate, label } from '@/services/format';
import type { Role, User } from '@/services/types';

const STAFF_ROLES: Role[] = ['agent', 'supervisor', 'admin'];

/** Admins add staff and customers, move staff between roles, and switch accounts off and on
 * again. */
export function UsersPage() {
  const me = useMe();
  const users = useUsers();
  const create = useCreateUser();
  const deactivate = useDeactivateUser();
  const reactivate = useReactivateUser();
  const changeRole = useChangeUserRole();
  const sendReset = useSendPasswordReset();
  // A phone is too narrow for six columns: each user becomes a card, and nothing (the
  // Deactivate button least of all) hides behind a sideways scroll.
  const phone = useMediaQuery('(max-width: 36em)', false, { getInitialValueInEffect: false });

  const actions = (u: User) =>
    !u.active ? (
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
    ) : (
      <Group gap={6} wrap="nowrap">
        <Button
          size="compact-xs"
          variant="default"
          loading={sendReset.isPending && sendReset.variables === u.id}
          onClick={() =>
            sendReset.mutate(u.id, {
              onSuccess: () =>
                notifications.show({
                  color: 'green',
                  message: `A link to choose a new password is on its way to ${u.email}.`,
                }),
            })
          }
          aria-label={`Send ${u.email} a password reset link`}
        >
          Send reset link
        </Button>
        {u.id !== me.id ? (
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
      </Group>
    );

  // Staff move between agent, supervisor and admin (the server keeps one admin, and ends
  // the sign-ins of the old role); a customer's account stays a customer's.
  const role = (u: User) =>
    u.role === 'customer' ? (
      <Badge variant="light" style={{ flexShrink: 0 }}>
        {label(u.role)}
      </Badge>
    ) : (
      <NativeSelect
        size="xs"
        w={130}
        aria-label={`Role of ${u.email}`}
        value={u.role}
        disabled={changeRole.isPending}
        data={STAFF_ROLES.map((r) => ({ value: r, label: label(r) }))}
        onChange={(event) => {
          const next = event.currentTarget.value as Role;
          changeRole.mutate(
            { userId: u.id, role: next },
            {
              onSuccess: () =>
                notifications.show({
                  color: 'green',
                  message: `${u.name} is now ${label(next).toLowerCase()}; they sign in again.`,
                }),
            },
          );
        }}
      />
    );

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
      {changeRole.error ? <ProblemAlert error={changeRole.error} /> : null}
      {sendReset.error ? <ProblemAlert error={sendReset.error} /> : null}
      <QueryState query={users}>
        {(list) =>
          phone ? (
            <Stack component="ul" gap="xs" p={0} m={0} aria-label="Users" data-layout="cards">
              {list.map((u) => (
                <Paper component="li" key={u.id} withBorder p="sm" style={{ listStyle: 'none' }}>
                  <Group justify="space-between" align="flex-start" wrap="nowrap">
                    <div style={{ minWidth: 0 }}>
                      <Text size="sm" fw={600}>
                        {u.name}
                      </Text>
                      <Text size="sm" style={{ wordBreak: 'break-word' }}>
                        {u.email}
                      </Text>
                    </div>
                    {role(u)}
                  </Group>
                  <Text size="xs" c="dimmed" mt={4}>
                    {u.customer_id ? `Customer ${u.customer_id} · ` : ''}since{' '}
                    {formatDate(u.created_at)}
                  </Text>
                  <div style={{ marginTop: 8 }}>{actions(u)}</div>
                </Paper>
              ))}
            </Stack>
          ) : (
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
                      <Table.Td>{role(u)}</Table.Td>
                      <Table.Td>{u.customer_id ?? '—'}</Table.Td>
                      <Table.Td>{formatDate(u.created_at)}</Table.Td>
                      <Table.Td>{actions(u)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  );
}
