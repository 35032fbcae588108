import { Anchor, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { formatDateTime, label } from '@/services/format';
import type { SupportCase } from '@/services/types';
import { SortHeader } from '../common/SortHeader';
import { CustomerLink } from '../customer/CustomerLink';
import { CaseStatusBadge, PriorityBadge } from '../ui/StatusBadge';
import { SlaBadge, earliestDue } from './SlaBadge';

interface Props {
  cases: SupportCase[];
  sort?: string;
  onSort?: (sort: string) => void;
  showAssignee?: boolean;
  /** Staff: who the customer is (name and email, linked to their page). */
  showCustomer?: boolean;
  /** Staff names by id, to show who a case is assigned to. */
  names?: Record<string, string>;
  /** Staff: the SLA badge, and the sort by due time. */
  showSla?: boolean;
}

export function CaseTable({
  cases,
  sort,
  onSort,
  showAssignee,
  showCustomer,
  names = {},
  showSla,
}: Props) {
  // On a phone the eight columns would scroll sideways and hide the order and the dates:
  // one card per case instead, with those kept.
  const phone = useMediaQuery('(max-width: 36em)', false, { getInitialValueInEffect: false });
  if (phone)
    return (
      <Stack component="ul" gap="xs" p={0} m={0} aria-label="Support cases" data-layout="cards">
        {cases.map((c) => (
          <Paper component="li" key={c.id} withBorder p="sm" style={{ listStyle: 'none' }}>
            <Anchor component={Link} to={`/cases/${c.id}`} size="sm" fw={500}>
              {c.subject}
            </Anchor>
            <Group gap={6} mt={4}>
              <CaseStatusBadge status={c.status} />
              <PriorityBadge priority={c.priority} />
              {showSla ? <SlaBadge status={c.sla_status} dueAt={earliestDue(c)} /> : null}
            </Group>
            {showCustomer ? (
              <Text size="xs" mt={4}>
                <CustomerLink customerId={c.customer_id} customer={c.customer} inline />
              </Text>
            ) : null}
            <Text size="xs" c="dimmed" mt={4}>
              {label(c.category)} · order {c.order_id}
              {showAssignee
                ? ` · ${c.assignee_id ? (names[c.assignee_id] ?? c.assignee_id) : 'unassigned'}`
                : ''}
            </Text>
            <Text size="xs" c="dimmed">
              Opened {formatDateTime(c.created_at)} · updated {formatDateTime(c.updated_at)}
            </Text>
          </Paper>
        ))}
      </Stack>
    );
  const sortable = (field: string, text: string) =>
    onSort ? (
      <SortHeader field={field} sort={sort} onSort={onSort}>
        {text}
      </SortHeader>
    ) : (
      <Table.Th>{text}</Table.Th>
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Support cases">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Subject</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Priority</Table.Th>
            <Table.Th>Category</Table.Th>
            <Table.Th>Order</Table.Th>
            {showCustomer ? <Table.Th>Customer</Table.Th> : null}
            {showAssignee ? <Table.Th>Assignee</Table.Th> : null}
            {showSla ? sortable('due_at', 'SLA') : null}
            {sortable('created_at', 'Created')}
            {sortable('updated_at', 'Updated')}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {cases.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Anchor component={Link} to={`/cases/${c.id}`} size="sm">
                  {c.subject}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <CaseStatusBadge status={c.status} />
              </Table.Td>
              <Table.Td>
                <PriorityBadge priority={c.priority} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{label(c.category)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{c.order_id}</Text>
              </Table.Td>
              {showCustomer ? (
                <Table.Td>
                  <CustomerLink customerId={c.customer_id} customer={c.customer} />
                </Table.Td>
              ) : null}
              {showAssignee ? (
                <Table.Td>
                  <Text size="sm" c={c.assignee_id ? undefined : 'dimmed'}>
                    {c.assignee_id ? (names[c.assignee_id] ?? c.assignee_id) : 'Unassigned'}
                  </Text>
                </Table.Td>
              ) : null}
              {showSla ? (
                <Table.Td>
                  <SlaBadge status={c.sla_status} dueAt={earliestDue(c)} />
                </Table.Td>
              ) : null}
              <Table.Td>
                <Text size="sm">{formatDateTime(c.created_at)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(c.updated_at)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
