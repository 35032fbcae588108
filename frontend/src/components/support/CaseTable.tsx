import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime, label } from '@/services/format';
import type { SupportCase } from '@/services/types';
import { SortHeader } from '../common/SortHeader';
import { CaseStatusBadge, PriorityBadge } from '../ui/StatusBadge';

interface Props {
  cases: SupportCase[];
  sort?: string;
  onSort?: (sort: string) => void;
  showAssignee?: boolean;
  /** Staff names by id, to show who a case is assigned to. */
  names?: Record<string, string>;
}

export function CaseTable({ cases, sort, onSort, showAssignee, names = {} }: Props) {
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
            {showAssignee ? <Table.Th>Assignee</Table.Th> : null}
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
              {showAssignee ? (
                <Table.Td>
                  <Text size="sm" c={c.assignee_id ? undefined : 'dimmed'}>
                    {c.assignee_id ? (names[c.assignee_id] ?? c.assignee_id) : 'Unassigned'}
                  </Text>
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
