import { Table, Text } from '@mantine/core';
import { formatMoney } from '@/services/format';
import type { Order } from '@/services/types';

export function OrderLines({ order }: { order: Order }) {
  const money = (n: number) => formatMoney(n, order.currency);
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" aria-label="Order lines">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th>Qty</Table.Th>
            <Table.Th>Unit price</Table.Th>
            <Table.Th>Discount</Table.Th>
            <Table.Th>Tax</Table.Th>
            <Table.Th>Total</Table.Th>
            <Table.Th>Refundable</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {order.lines.map((l) => (
            <Table.Tr key={l.line_id}>
              <Table.Td>
                <Text size="sm">{l.name}</Text>
                <Text size="xs" c="dimmed">
                  {l.sku} · line {l.line_id}
                </Text>
              </Table.Td>
              <Table.Td>{l.quantity}</Table.Td>
              <Table.Td>{money(l.unit_price)}</Table.Td>
              <Table.Td>{l.discount ? `−${money(l.discount)}` : '—'}</Table.Td>
              <Table.Td>{money(l.tax)}</Table.Td>
              <Table.Td>{money(l.gross)}</Table.Td>
              <Table.Td>
                {l.refundable_quantity} of {l.quantity}
              </Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td colSpan={5}>
              <Text size="sm">Shipping</Text>
            </Table.Td>
            <Table.Td>{money(order.shipping.amount + order.shipping.tax)}</Table.Td>
            <Table.Td>{order.shipping.refundable ? 'yes' : 'no'}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
