import { Anchor, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { formatDuration } from '@/services/format';
import type { Stats } from '@/services/types';

interface Props {
  stats: Stats;
}

/** The dashboard's SLA and time-to-money figures: breaches of the last 30 days, cases
 * breached or at risk now, and per week the median time from a refund's request to the
 * money sent. Its own component, so any dashboard page can show it. */
export function SlaAndMoneyPanel({ stats }: Props) {
  const breaches = stats.sla_breaches_30d ?? {};
  const now = stats.cases_by_sla_status ?? {};
  const weeks = stats.time_to_money_weeks ?? [];
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Paper withBorder p="md" radius="md" component="section" aria-label="SLA">
        <Title order={2} size="h5" mb="sm">
          SLA
        </Title>
        <Table verticalSpacing={4}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Td>First reply breaches (30 d)</Table.Td>
              <Table.Td data-testid="breaches-first-response">
                {breaches.first_response ?? 0}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>Resolution breaches (30 d)</Table.Td>
              <Table.Td data-testid="breaches-resolution">{breaches.resolution ?? 0}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>
                <Anchor component={Link} to="/cases?sla_status=breached" size="sm">
                  Breached now
                </Anchor>
              </Table.Td>
              <Table.Td>{now.breached ?? 0}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>
                <Anchor component={Link} to="/cases?sla_status=at_risk" size="sm">
                  At risk now
                </Anchor>
              </Table.Td>
              <Table.Td>{now.at_risk ?? 0}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-label="Time to money">
        <Title order={2} size="h5" mb="sm">
          Time to money per week
        </Title>
        {weeks.length ? (
          <Table verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Week</Table.Th>
                <Table.Th>Median</Table.Th>
                <Table.Th>Refunds</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {weeks.map((w) => (
                <Table.Tr key={w.week}>
                  <Table.Td>{w.week}</Table.Td>
                  <Table.Td>{formatDuration(w.median_seconds)}</Table.Td>
                  <Table.Td>{w.refunds}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <Text size="sm" c="dimmed">
            No money was sent in the last 8 weeks.
          </Text>
        )}
      </Paper>
    </SimpleGrid>
  );
}
