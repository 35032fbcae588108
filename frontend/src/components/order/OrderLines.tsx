import { Box, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { formatMoney } from '@/services/format';
import type { Order } from '@/services/types';

// Below this width the seven columns do not fit (a phone, or the refund page's narrow column
// on a desktop): each line becomes a card, so Total and Refundable never hide behind a
// sideways scroll. The width is the component's own, not the window's.
const TABLE_MIN_WIDTH = 600;

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums' }}>
        {children}
      </Text>
    </div>
  );
}

export function OrderLines({ order }: { order: Order }) {
  const money = (n: number) => formatMoney(n, order.currency);
  const { ref, width } = useElementSize();
  // Before the first measurement (and in tests without layout) the width reads 0: keep the table.
  const stacked = width > 0 && width < TABLE_MIN_WIDTH;
  return (
    <Box ref={ref}>
      {stacked ? (
        <Stack component="ul" gap="xs" p={0} m={0} aria-label="Order lines" data-layout="cards">
          {order.lines.map((l) => (
            <Paper component="li" key={l.line_id} withBorder p="sm" style={{ listStyle: 'none' }}>
              <Text size="sm" fw={500}>
                {l.name}
              </Text>
              <Text size="xs" c="dimmed" mb={6}>
                {l.sku} · line {l.line_id}
              </Text>
              <SimpleGrid cols={3} spacing="xs" verticalSpacing={6}>
                <Field label="Qty">{l.quantity}</Field>
                <Field label="Unit price">{money(l.unit_price)}</Field>
                <Field label="Discount">{l.discount ? `−${money(l.discount)}` : '—'}</Field>
                <Field label="Tax">{money(l.tax)}</Field>
                <Field label="Total">{money(l.gross)}</Field>
                <Field label="Refundable">
                  {l.refundable_quantity} of {l.quantity}
                </Field>
              </SimpleGrid>
            </Paper>
          ))}
          <Paper component="li" withBorder p="sm" style={{ listStyle: 'none' }}>
            <Group justify="space-between" align="flex-start">
              <Text size="sm" fw={500}>
                Shipping
              </Text>
              <SimpleGrid cols={2} spacing="md">
                <Field label="Total">{money(order.shipping.amount + order.shipping.tax)}</Field>
                <Field label="Refundable">{order.shipping.refundable ? 'yes' : 'no'}</Field>
              </SimpleGrid>
            </Group>
          </Paper>
        </Stack>
      ) : (
        <Table verticalSpacing="xs" aria-label="Order lines" data-layout="table">
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
      )}
    </Box>
  );
}
