import { Box, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
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

/** What one unit comes to, said once: "€13.39 each", or where the cents did not split
 * evenly "3 × €13.39 + 1 × €13.38" (the line's amount beside it is the sum). */
export function perUnit(parts: number[], money: (n: number) => string): string {
  const counts = new Map<number, number>();
  for (const p of parts) counts.set(p, (counts.get(p) ?? 0) + 1);
  const groups = [...counts].sort(([a], [b]) => b - a);
  const [only] = groups;
  if (only && groups.length === 1) return `${money(only[0])} each`;
  return groups.map(([value, n]) => `${n} × ${money(value)}`).join(' + ');
}

/** "€10.70 each", or "per unit 3 × €13.39 + 1 × €13.38" (not "per unit €10.70 each"). */
export function unitWords(parts: number[], money: (n: number) => string): string {
  const words = perUnit(parts, money);
  return words.endsWith(' each') ? words : `per unit ${words}`;
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
  const { ref, width } = useElementSize();
  // A phone's column is too narrow for four columns: each line becomes a card with its amount
  // on the right, so no amount needs a sideways scroll. 0 means not measured yet (or no layout).
  const stacked = width > 0 && width < 440;
  const name = caption ?? 'Refund breakdown';
  if (stacked)
    return (
      <Box ref={ref}>
        <Stack component="ul" gap={6} p={0} m={0} aria-label={name} data-layout="cards">
          {items.map((i) => (
            <Paper component="li" key={i.line_id} withBorder p="xs" style={{ listStyle: 'none' }}>
              <Group justify="space-between" align="flex-start" wrap="nowrap">
                <div>
                  <Text size="sm">
                    {i.quantity} × {i.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {i.sku} · line {i.line_id} · {unitWords(i.parts, money)}
                  </Text>
                </div>
                <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {money(i.amount)}
                </Text>
              </Group>
            </Paper>
          ))}
          {includeShipping ? (
            <Group component="li" justify="space-between" px="xs" style={{ listStyle: 'none' }}>
              <Text size="sm">Shipping</Text>
              <Text size="sm">{money(shippingAmount)}</Text>
            </Group>
          ) : null}
          <Group component="li" justify="space-between" px="xs" style={{ listStyle: 'none' }}>
            <Text size="sm" fw={700}>
              Total
            </Text>
            <Text size="sm" fw={700} data-testid="refund-total">
              {money(totalAmount)}
            </Text>
          </Group>
        </Stack>
      </Box>
    );
  return (
    <Box ref={ref}>
      <Table verticalSpacing={4} aria-label={name} data-layout="table">
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
                <Text size="xs">{perUnit(i.parts, money)}</Text>
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
    </Box>
  );
}
