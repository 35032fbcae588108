import { Paper, Table, Text, Title } from '@mantine/core';
import { Money } from '@/components/ui/Money';
import type { ReasonStats } from '@/services/types';

/** Refunds and money per reason and currency, in the order the reasons list offers them
 * (the server's `refunds_by_reason`; refunds from before the list last). */
export function ReasonsPanel({ rows }: { rows: readonly ReasonStats[] }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="by-reason-title">
      <Title order={2} size="h5" mb="sm" id="by-reason-title">
        Refunds by cause
      </Title>
      {rows.length ? (
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={4} aria-labelledby="by-reason-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Cause</Table.Th>
                <Table.Th ta="right">Refunds asked</Table.Th>
                <Table.Th ta="right">Refunded</Table.Th>
                <Table.Th ta="right">Settled</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={`${r.reason_code ?? ''}:${r.currency}`}>
                  <Table.Td>
                    {r.reason_label ?? r.reason_code ?? 'Not given (before causes were counted)'}
                  </Table.Td>
                  <Table.Td ta="right">{r.refunds}</Table.Td>
                  <Table.Td ta="right">
                    <Money amount={r.refunded_amount} currency={r.currency} />
                  </Table.Td>
                  <Table.Td ta="right">
                    <Money amount={r.settled_amount} currency={r.currency} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : (
        <Text size="sm" c="dimmed">
          No refunds yet.
        </Text>
      )}
    </Paper>
  );
}
