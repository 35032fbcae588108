import { Anchor, Button, Checkbox, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { formatDateTime, label } from '@/services/format';
import type { SupportCase } from '@/services/types';
import { SortHeader } from '../common/SortHeader';
import { CustomerLink } from '../customer/CustomerLink';
import { CaseStatusBadge, PriorityBadge } from '../ui/StatusBadge';
import { SlaBadge, earliestDue } from './SlaBadge';

/** Staff's row tools: pick rows for a bulk change, take a case in one click. */
export interface RowTools {
  selected: ReadonlySet<string>;
  onToggle: (caseId: string) => void;
  onToggleAll: (caseIds: string[], on: boolean) => void;
  meId: string;
  onAssignToMe: (caseId: string) => void;
  /** The case being taken right now, if any. */
  assigning?: string | null;
}

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
  tools?: RowTools;
}

function AssignToMe({ c, tools }: { c: SupportCase; tools: RowTools }) {
  if (c.assignee_id === tools.meId || !c.allowed_actions.includes('assign')) return null;
  return (
    <Button
      size="compact-xs"
      variant="light"
      loading={tools.assigning === c.id}
      onClick={() => tools.onAssignToMe(c.id)}
      aria-label={`Assign “${c.subject}” to me`}
    >
      Assign to me
    </Button>
  );
}

function Pick({ c, tools }: { c: SupportCase; tools: RowTools }) {
  return (
    <Checkbox
      aria-label={`Select “${c.subject}”`}
      checked={tools.selected.has(c.id)}
      onChange={() => tools.onToggle(c.id)}
    />
  );
}

export function CaseTable({
  cases,
  sort,
  onSort,
  showAssignee,
  showCustomer,
  names = {},
  showSla,
  tools,
}: Props) {
  // On a phone the eight columns would scroll sideways and hide the order and the dates:
  // one card per case instead, with those kept.
  const phone = useMediaQuery('(max-width: 36em)', false, { getInitialValueInEffect: false });
  const assignee = (c: SupportCase) =>
    c.assignee_id ? (names[c.assignee_id] ?? c.assignee_id) : 'Unassigned';
  if (phone)
    return (
      <Stack component="ul" gap="xs" p={0} m={0} aria-label="Support cases" data-layout="cards">
        {cases.map((c) => (
          <Paper component="li" key={c.id} withBorder p="sm" style={{ listStyle: 'none' }}>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              {tools ? <Pick c={c} tools={tools} /> : null}
              <Anchor component={Link} to={`/cases/${c.id}`} size="sm" fw={500}>
                {c.subject}
              </Anchor>
            </Group>
            <Group gap={6} mt={4}>
              <CaseStatusBadge status={c.status} />
              <PriorityBadge priority={c.priority} />
              {showSla ? <SlaBadge status={c.sla_status} dueAt={earliestDue(c)} /> : null}
              {tools ? <AssignToMe c={c} tools={tools} /> : null}
            </Group>
            {showCustomer ? (
              <Text size="xs" mt={4}>
                <CustomerLink customerId={c.customer_id} customer={c.customer} inline />
              </Text>
            ) : null}
            <Text size="xs" c="dimmed" mt={4}>
              {label(c.category)} · order {c.order_id}
              {showAssignee ? ` · ${assignee(c).toLowerCase()}` : ''}
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
  const ids = cases.map((c) => c.id);
  const allOn = !!tools && ids.length > 0 && ids.every((id) => tools.selected.has(id));
  const someOn = !!tools && ids.some((id) => tools.selected.has(id));
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Support cases">
        <Table.Thead>
          <Table.Tr>
            {tools ? (
              <Table.Th w={36}>
                <Checkbox
                  aria-label="Select every case shown"
                  checked={allOn}
                  indeterminate={someOn && !allOn}
                  onChange={() => tools.onToggleAll(ids, !allOn)}
                />
              </Table.Th>
            ) : null}
            <Table.Th>Subject</Table.Th>
            <Table.Th>Status</Table.Th>
            {sortable('priority', 'Priority')}
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
              {tools ? (
                <Table.Td>
                  <Pick c={c} tools={tools} />
                </Table.Td>
              ) : null}
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
                  <Group gap="xs" wrap="nowrap">
                    <Text size="sm" c={c.assignee_id ? undefined : 'dimmed'}>
                      {assignee(c)}
                    </Text>
                    {tools ? <AssignToMe c={c} tools={tools} /> : null}
                  </Group>
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
