import { BarChart } from '@mantine/charts';
import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { useStats } from '@/hooks/useStats';
import { useMe } from '@/hooks/useSession';
import { formatMoney, label } from '@/services/format';
import { CASE_STATUSES, REFUND_STATUSES, type Stats } from '@/services/types';

function StatCard({ title, value, to }: { title: string; value: string | number; to?: string }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {title}
      </Text>
      <Text fw={700} size="xl" mt={4}>
        {to ? (
          <Anchor component={Link} to={to} inherit>
            {value}
          </Anchor>
        ) : (
          value
        )}
      </Text>
    </Paper>
  );
}

function totals(list: Stats['refunded_totals']): string {
  return list.length
    ? list.map((t) => formatMoney(t.amount, t.currency)).join(' · ')
    : formatMoney(0, 'EUR');
}

function duration(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  const h = seconds / 3600;
  return h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} days`;
}

export function AgentHome() {
  const stats = useStats();
  return (
    <QueryState query={stats} rows={5}>
      {(s) => <Dashboard s={s} />}
    </QueryState>
  );
}

function Dashboard({ s }: { s: Stats }) {
  const me = useMe();
  const count = (rec: Record<string, number>, k: string) => rec[k] ?? 0;
  const caseData = CASE_STATUSES.map((k) => ({
    status: label(k),
    cases: count(s.cases_by_status, k),
  }));
  const refundData = REFUND_STATUSES.map((k) => ({
    status: label(k),
    refunds: count(s.refunds_by_status, k),
  }));
  const activeCases = count(s.cases_by_status, 'open') + count(s.cases_by_status, 'in_progress');

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          Dashboard
        </Title>
        <Text c="dimmed">Welcome back, {me.name.split(' ')[0]}. Here is where support stands.</Text>
      </div>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <StatCard
          title="Cases needing work"
          value={activeCases}
          to="/cases?status=open&status=in_progress"
        />
        <StatCard
          title="Waiting on customer"
          value={count(s.cases_by_status, 'waiting_on_customer')}
          to="/cases?status=waiting_on_customer"
        />
        <StatCard
          title="Refunds to decide"
          value={count(s.refunds_by_status, 'requested')}
          to="/refunds/queue"
        />
        <StatCard
          title="Failed refunds"
          value={count(s.refunds_by_status, 'failed')}
          to="/refunds?status=failed"
        />
        <StatCard title="Refunded" value={totals(s.refunded_totals)} />
        <StatCard title="Settled" value={totals(s.settled_totals)} />
        <StatCard
          title="Median time to decision (30 d)"
          value={duration(s.median_seconds_to_final_30d)}
        />
        <StatCard
          title="Processing"
          value={count(s.refunds_by_status, 'processing')}
          to="/refunds?status=processing"
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md" radius="md">
          <Title order={5} mb="sm">
            Cases by status
          </Title>
          <BarChart
            h={220}
            data={caseData}
            dataKey="status"
            series={[{ name: 'cases', color: 'indigo.6' }]}
            tickLine="y"
          />
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Title order={5} mb="sm">
            Refunds by status
          </Title>
          <BarChart
            h={220}
            data={refundData}
            dataKey="status"
            series={[{ name: 'refunds', color: 'teal.6' }]}
            tickLine="y"
          />
        </Paper>
      </SimpleGrid>
      {s.refunds_per_day?.length ? (
        <Paper withBorder p="md" radius="md">
          <Group justify="space-between" mb="sm">
            <Title order={5}>Refunds per day</Title>
          </Group>
          <BarChart
            h={200}
            data={s.refunds_per_day}
            dataKey="day"
            series={[{ name: 'count', label: 'refunds', color: 'violet.6' }]}
            tickLine="y"
          />
        </Paper>
      ) : null}
    </Stack>
  );
}
