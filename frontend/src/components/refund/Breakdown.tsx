import { Table, Text } from '@mantine/core';
import { formatMoney } from '@/services/format';
import type { RefundItem } from '@/services/types';

interface Props {
  currency: string;
  items: RefundItem[];
  includeShipping: boolean;
  shippingAmount: number;
  totalAmount: number;
  caption?: string;
}

/** Per line: units, how the line's gross splits over them, and the total. */
export function Breakdown({
  currency,
  items,
  includeShipping,
  shippingAmount,
  totalAmount,
  caption,
}: Props) {
  const money = (n: number) => formatMoney(n, currency);
  return (
    <Table verticalSpacing={4} aria-label={caption ?? 'Refund breakdown'}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Item</Table.Th>
          <Table.Th>Units</Table.Th>
          <Table.Th>Per unit</Table.Th>
          <Table.Th style={{ textAlign: 'right' }}>Amount</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((i) => (
          <Table.Tr key={i.line_id}>
            <Table.Td>
              <Text size="sm">{i.name}</Text>
              <Text size="xs" c="dimmed">
                {i.sku} · line {i.line_id}
              </Text>
            </Table.Td>
            <Table.Td>{i.quantity}</Table.Td>
            <Table.Td>
              <Text size="xs">{i.parts.map(money).join(' + ')}</Text>
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>{money(i.amount)}</Table.Td>
          </Table.Tr>
        ))}
        {includeShipping ? (
          <Table.Tr>
            <Table.Td colSpan={3}>Shipping</Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>{money(shippingAmount)}</Table.Td>
          </Table.Tr>
        ) : null}
      </Table.Tbody>
      <Table.Tfoot>
        <Table.Tr>
          <Table.Th colSpan={3}>Total</Table.Th>
          <Table.Th style={{ textAlign: 'right' }} data-testid="refund-total">
            {money(totalAmount)}
          </Table.Th>
        </Table.Tr>
      </Table.Tfoot>
    </Table>
  );
}
