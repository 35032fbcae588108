import {
  Anchor,
  Badge,
  Button,
  Group,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { NotAvailable } from '@/components/common/NotAvailable';
import { PageSkeleton } from '@/components/common/PageSkeleton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { useOutbox, useRetryOutboxItem } from '@/hooks/useNotifications';
import { formatDateTime, label } from '@/services/format';
import type { OutboxItem, OutboxState } from '@/services/notifications';

const STATE_COLOR: Record<OutboxState, string> = {
  pending: 'blue',
  delivered: 'green',
  dead: 'red',
};

type Filter = OutboxState | 'all';

function When({ item }: { item: OutboxItem }) {
  if (item.state === 'delivered') return <>delivered {formatDateTime(item.delivered_at)}</>;
  if (item.state === 'pending' && item.next_attempt_at)
    return <>next try {formatDateTime(item.next_attempt_at)}</>;
  return <>{formatDateTime(item.created_at)}</>;
}

/** Admins see the notifications waiting, delivered and given up on, and retry the dead. */
export function OutboxPage() {
  const [filter, setFilter] = useState<Filter>('dead');
  const outbox = useOutbox(filter === 'all' ? undefined : filter, undefined);
  const retry = useRetryOutboxItem();

  const header = (
    <Group justify="space-between" align="flex-end">
      <div>
        <Title order={1} size="h2">
          Outbox
        </Title>
        <Text size="sm" c="dimmed">
          Notifications of each change, per channel, newest first.
        </Text>
      </div>
      <SegmentedControl
        aria-label="Show"
        value={filter}
        onChange={(v) => setFilter(v as Filter)}
        data={[
          { value: 'dead', label: 'Dead' },
          { value: 'pending', label: 'Pending' },
          { value: 'delivered', label: 'Delivered' },
          { value: 'all', label: 'All' },
        ]}
      />
    </Group>
  );

  if (outbox.isPending)
    return (
      <Stack gap="lg">
        {header}
        <PageSkeleton />
      </Stack>
    );
  if (outbox.isError)
    return (
      <Stack gap="lg">
        {header}
        <ProblemAlert error={outbox.error} onRetry={() => void outbox.refetch()} />
      </Stack>
    );
  if (outbox.data.pages[0] === null)
    return (
      <NotAvailable
        what="The outbox"
        why="This server does not deliver notifications through an outbox yet."
      />
    );
  const items = outbox.data.pages.flatMap((page) => page?.items ?? []);
  return (
    <Stack gap="lg">
      {header}
      {retry.error ? <ProblemAlert error={retry.error} /> : null}
      {items.length === 0 ? (
        <Text c="dimmed" role="status">
          Nothing {filter === 'all' ? 'in the outbox' : label(filter).toLowerCase()}.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="xs" aria-label="Outbox">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Case</Table.Th>
                <Table.Th>Channel</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Tries</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => (
                <Table.Tr key={item.id}>
                  <Table.Td>
                    <Text size="sm">{label(item.event_type)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {item.case_id ? (
                      <Anchor component={Link} to={`/cases/${item.case_id}`} size="sm">
                        {item.case_id}
                      </Anchor>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{item.channel}</Table.Td>
                  <Table.Td>
                    <Tooltip
                      label={item.last_error ?? ''}
                      disabled={!item.last_error}
                      multiline
                      w={320}
                    >
                      <Badge color={STATE_COLOR[item.state]} variant="light">
                        {item.state}
                      </Badge>
                    </Tooltip>
                    {item.last_error ? (
                      <Text size="xs" c="dimmed" lineClamp={2} style={{ wordBreak: 'break-word' }}>
                        {item.last_error}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{item.attempts}</Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      <When item={item} />
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {item.state === 'dead' ? (
                      <Button
                        size="xs"
                        variant="light"
                        loading={retry.isPending && retry.variables === item.id}
                        onClick={() => retry.mutate(item.id)}
                        aria-label={`Retry ${label(item.event_type)} by ${item.channel}`}
                      >
                        Retry
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {outbox.hasNextPage ? (
        <Button
          variant="default"
          onClick={() => void outbox.fetchNextPage()}
          loading={outbox.isFetchingNextPage}
        >
          Show more
        </Button>
      ) : null}
    </Stack>
  );
}
