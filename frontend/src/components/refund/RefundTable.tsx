import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '@/services/format';
import type { Refund } from '@/services/types';
import { SortHeader } from '../common/SortHeader';
import { Money } from '../ui/Money';
import { RefundStatusBadge } from '../ui/StatusBadge';

interface Props {
  refunds: Refund[];
  sort?: string;
  onSort?: (sort: string) => void;
  showCustomer?: boolean;
}

export function RefundTable({ refunds, sort, onSort, showCustomer }: Props) {
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
                  {r.items.map((i) => `${i.quantity} × ${i.name}`).join(', ') || r.id}
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
                  <Text size="sm">{r.customer_id}</Text>
                </Table.Td>
              ) : null}
              <Table.Td style={{ textAlign: 'right' }}>
                <Text size="sm">
                  <Money amount={r.total_amount} currency={r.currency} />
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={r.refund_window.open ? 'teal' : 'orange'}>
                  {r.refund_window.open ? 'Open' : 'Closed'}
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
