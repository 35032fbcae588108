import {
  Badge,
  Button,
  Card,
  Code,
  Group,
  Stack,
  Table,
  Text,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Fragment, useState } from 'react';
import { formatDateTime } from '@/services/format';
import type { WebhookDelivery, WebhookDeliveryState } from '@/services/types';

const STATE: Record<WebhookDeliveryState, { color: string; word: string }> = {
  delivered: { color: 'green', word: 'Delivered' },
  failed: { color: 'orange', word: 'Failed' },
  dead: { color: 'red', word: 'Gave up' },
  pending: { color: 'blue', word: 'Pending' },
};

function StateBadge({ delivery }: { delivery: WebhookDelivery }) {
  const { color, word } = STATE[delivery.state];
  return (
    <Stack gap={2} align="flex-start">
      <Badge color={color} variant="light">
        {word}
      </Badge>
      {delivery.state === 'failed' && delivery.next_attempt_at ? (
        <Text size="xs">will retry at {formatDateTime(delivery.next_attempt_at)}</Text>
      ) : null}
    </Stack>
  );
}

function Details({ delivery }: { delivery: WebhookDelivery }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        Event id (the <Code>webhook-id</Code>): <Code>{delivery.event_id}</Code>
      </Text>
      {delivery.error ? (
        <div>
          <Text size="sm" fw={600}>
            Error
          </Text>
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {delivery.error}
          </Text>
        </div>
      ) : null}
      <div>
        <Text size="sm" fw={600}>
          Response (first KB)
        </Text>
        {delivery.response_excerpt ? (
          <Code
            block
            aria-label="Response excerpt"
            style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 240 }}
          >
            {delivery.response_excerpt}
          </Code>
        ) : (
          <Text size="sm" c="dimmed">
            No response body.
          </Text>
        )}
      </div>
    </Stack>
  );
}

interface Props {
  deliveries: WebhookDelivery[];
  onSendAgain: (delivery: WebhookDelivery) => void;
  /** The delivery being sent again, if any. */
  sending?: number;
}

const latency = (d: WebhookDelivery) => (d.latency_ms === null ? '—' : `${d.latency_ms} ms`);

/** The tries of an endpoint's deliveries, newest first: a table, one card per delivery on phones. */
export function DeliveryLog({ deliveries, onSendAgain, sending }: Props) {
  const phone = useMediaQuery('(max-width: 36em)', false, { getInitialValueInEffect: false });
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((was) => {
      const next = new Set(was);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const what = (d: WebhookDelivery) => `${d.event_type} of ${formatDateTime(d.at)}`;
  const detailsButton = (d: WebhookDelivery) => (
    <Button
      size="compact-xs"
      variant="subtle"
      aria-expanded={open.has(d.id)}
      aria-controls={`delivery-${d.id}`}
      aria-label={`Details of ${what(d)}`}
      onClick={() => toggle(d.id)}
    >
      {open.has(d.id) ? 'Hide details' : 'Details'}
    </Button>
  );
  const sendButton = (d: WebhookDelivery) => (
    <Button
      size="compact-xs"
      variant="light"
      loading={sending === d.id}
      aria-label={`Send again ${what(d)}`}
      onClick={() => onSendAgain(d)}
    >
      Send again
    </Button>
  );

  if (phone)
    return (
      <Stack gap="sm" aria-label="Deliveries" role="list">
        {deliveries.map((d) => (
          <Card key={d.id} withBorder padding="sm" role="listitem">
            <Stack gap={6}>
              <Group justify="space-between" align="flex-start" wrap="nowrap">
                <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
                  {d.event_type}
                </Text>
                <StateBadge delivery={d} />
              </Group>
              <Text size="xs">{formatDateTime(d.at)}</Text>
              <Text size="xs">
                Status {d.status_code ?? '—'} · {latency(d)} · try {d.attempt}
              </Text>
              <Group gap="xs">
                {detailsButton(d)}
                {sendButton(d)}
              </Group>
              {open.has(d.id) ? (
                <div id={`delivery-${d.id}`}>
                  <Details delivery={d} />
                </div>
              ) : null}
            </Stack>
          </Card>
        ))}
      </Stack>
    );

  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing="xs" aria-label="Deliveries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Event type</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Latency</Table.Th>
            <Table.Th>Tries</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.map((d) => (
            <Fragment key={d.id}>
              <Table.Tr>
                <Table.Td>
                  <Text size="sm">{formatDateTime(d.at)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{d.event_type}</Text>
                </Table.Td>
                <Table.Td>
                  <StateBadge delivery={d} />
                </Table.Td>
                <Table.Td>{d.status_code ?? '—'}</Table.Td>
                <Table.Td>{latency(d)}</Table.Td>
                <Table.Td>{d.attempt}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap" justify="flex-end">
                    {detailsButton(d)}
                    {sendButton(d)}
                  </Group>
                </Table.Td>
              </Table.Tr>
              {open.has(d.id) ? (
                <Table.Tr id={`delivery-${d.id}`}>
                  <Table.Td colSpan={7}>
                    <Details delivery={d} />
                  </Table.Td>
                </Table.Tr>
              ) : null}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
