import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { formatDateTime, formatDuration } from '@/services/format';
import type { SupportCase } from '@/services/types';
import { CustomerLink } from '../customer/CustomerLink';
import { PriorityBadge } from '../ui/StatusBadge';
import { SlaBadge, earliestDue } from './SlaBadge';

interface Props {
  cases: SupportCase[];
  label: string;
  /** When the page drew: ages count from it. */
  now: number;
  /** Offers "Assign to me" on each row (the unassigned list). */
  onAssignToMe?: (caseId: string) => void;
  assigning?: string | null;
}

const age = (c: SupportCase, now: number) =>
  formatDuration((now - new Date(c.created_at).getTime()) / 1000);

/** The case's next promise to the customer: its SLA standing and the earliest due time. */
function Due({ c }: { c: SupportCase }) {
  const at = earliestDue(c);
  return (
    // Badge above the time: side by side, a narrow column squeezed the badge's words.
    <Stack gap={2} align="flex-start">
      <SlaBadge status={c.sla_status} />
      {at ? (
        <Text size="xs" c="dimmed">
          {formatDateTime(at)}
        </Text>
      ) : null}
    </Stack>
  );
}

function LastMessage({ c }: { c: SupportCase }) {
  const last = c.last_message;
  if (!last)
    return (
      <Text size="xs" c="dimmed">
        No messages yet
      </Text>
    );
  const customer = last.author_role === 'customer';
  return (
    <Stack gap={0}>
      <Group gap={4} wrap="nowrap">
        {customer ? (
          <Badge size="xs" color="orange" variant="light" style={{ minWidth: 'max-content' }}>
            Customer replied
          </Badge>
        ) : (
          <Text size="xs" c="dimmed">
            We wrote
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {formatDateTime(last.at)}
        </Text>
      </Group>
      <Text size="xs" lineClamp={1} style={{ wordBreak: 'break-word' }}>
        {last.excerpt}
      </Text>
    </Stack>
  );
}

function Take({
  c,
  onAssignToMe,
  assigning,
}: Pick<Props, 'onAssignToMe' | 'assigning'> & { c: SupportCase }) {
  if (!onAssignToMe || !c.allowed_actions.includes('assign')) return null;
  return (
    <Button
      size="compact-xs"
      variant="light"
      loading={assigning === c.id}
      onClick={() => onAssignToMe(c.id)}
      aria-label={`Assign “${c.subject}” to me`}
    >
      Assign to me
    </Button>
  );
}

/** A work queue: what each case is, whose, how pressing, how old, and where the talk stands. */
export function QueueTable({ cases, label, now, onAssignToMe, assigning }: Props) {
  const phone = useMediaQuery('(max-width: 36em)', false, { getInitialValueInEffect: false });
  if (phone)
    return (
      <Stack component="ul" gap="xs" p={0} m={0} aria-label={label} data-layout="cards">
        {cases.map((c) => (
          <Paper component="li" key={c.id} withBorder p="sm" style={{ listStyle: 'none' }}>
            <Anchor component={Link} to={`/cases/${c.id}`} size="sm" fw={500}>
              {c.subject}
            </Anchor>
            <Group gap={6} mt={4}>
              <PriorityBadge priority={c.priority} />
              <SlaBadge status={c.sla_status} dueAt={earliestDue(c)} />
              <Text size="xs" c="dimmed">
                {age(c, now)} old
              </Text>
              <Take c={c} onAssignToMe={onAssignToMe} assigning={assigning} />
            </Group>
            <Text size="xs" mt={4}>
              <CustomerLink customerId={c.customer_id} customer={c.customer} inline />
            </Text>
            <LastMessage c={c} />
          </Paper>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Case</Table.Th>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Priority</Table.Th>
            <Table.Th>Age</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th>Last message</Table.Th>
            {onAssignToMe ? <Table.Th aria-label="Take" /> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {cases.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Anchor component={Link} to={`/cases/${c.id}`} size="sm">
                  {c.subject}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {c.id} · {c.order_id}
                </Text>
              </Table.Td>
              <Table.Td>
                <CustomerLink customerId={c.customer_id} customer={c.customer} />
              </Table.Td>
              <Table.Td>
                <PriorityBadge priority={c.priority} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{age(c, now)}</Text>
              </Table.Td>
              <Table.Td>
                <Due c={c} />
              </Table.Td>
              <Table.Td maw={280}>
                <LastMessage c={c} />
              </Table.Td>
              {onAssignToMe ? (
                <Table.Td>
                  <Take c={c} onAssignToMe={onAssignToMe} assigning={assigning} />
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
