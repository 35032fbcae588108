import { Anchor, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { formatDateTime, refundWhat, windowLabel } from '@/services/format';
import type { Refund } from '@/services/types';
import { SortHeader } from '../common/SortHeader';
import { CustomerLink } from '../customer/CustomerLink';
import { Money } from '../ui/Money';
import { RefundStatusBadge } from '../ui/StatusBadge';

interface Props {
  refunds: Refund[];
  sort?: string;
  onSort?: (sort: string) => void;
  showCustomer?: boolean;
}

export function RefundTable({ refunds, sort, onSort, showCustomer }: Props) {
  // On a phone the columns would scroll sideways and hide the total: one card per refund,
  // with the amount on the first line.
  const phone = useMediaQuery('(max-width: 36em)', false, { getInitialValueInEffect: false });
  if (phone)
    return (
      <Stack component="ul" gap="xs" p={0} m={0} aria-label="Refunds" data-layout="cards">
        {refunds.map((r) => (
          <Paper component="li" key={r.id} withBorder p="sm" style={{ listStyle: 'none' }}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Anchor component={Link} to={`/refunds/${r.id}`} size="sm" fw={500}>
                {refundWhat(r) || r.id}
              </Anchor>
              <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                <Money amount={r.total_amount} currency={r.currency} />
              </Text>
            </Group>
            <Group gap={6} mt={4}>
              <RefundStatusBadge status={r.status} />
              <Text size="xs" c={r.refund_window.open ? 'teal' : 'orange'}>
                Window {r.refund_window.open ? 'open' : 'closed'}
              </Text>
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              Order {r.order_id}
              {showCustomer ? (
                <>
                  {' · '}
                  <CustomerLink customerId={r.customer_id} customer={r.customer} inline />
                </>
              ) : null}{' '}
              · requested {formatDateTime(r.created_at)}
            </Text>
          </Paper>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Refunds">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Refund</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Order</Table.Th>
            {showCustomer ? <Table.Th>Customer</Table.Th> : null}
            <Table.Th style={{ textAlign: 'right' }}>Total</Table.Th>
            <Table.Th>Window</Table.Th>
            {onSort ? (
              <SortHeader field="created_at" sort={sort} onSort={onSort}>
                Requested
              </SortHeader>
            ) : (
              <Table.Th>Requested</Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {refunds.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>
                <Anchor component={Link} to={`/refunds/${r.id}`} size="sm">
                  {refundWhat(r) || r.id}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <RefundStatusBadge status={r.status} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.order_id}</Text>
              </Table.Td>
              {showCustomer ? (
                <Table.Td>
                  <CustomerLink customerId={r.customer_id} customer={r.customer} />
                </Table.Td>
              ) : null}
              <Table.Td style={{ textAlign: 'right' }}>
                <Text size="sm">
                  <Money amount={r.total_amount} currency={r.currency} />
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={r.refund_window.open ? 'teal' : 'orange'}>
                  {windowLabel(r.refund_window)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(r.created_at)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
