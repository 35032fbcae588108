import { BarChart } from '@mantine/charts';
import { Anchor, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { ReasonsPanel } from '@/components/dashboard/ReasonsPanel';
import { SlaAndMoneyPanel } from '@/components/dashboard/SlaAndMoneyPanel';
import { useStats } from '@/hooks/useStats';
import { useMe } from '@/hooks/useSession';
import { formatDay, formatDuration, formatMoney, label } from '@/services/format';
import { CASE_STATUSES, REFUND_STATUSES, type Stats } from '@/services/types';
import { everyDay, integerTicks, tickDomain } from './chartData';

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

const countLabel = (v: unknown) => String(v ?? '');

/**
 * Counts per status as horizontal bars: each status's name on its own row, so every name
 * shows however narrow the screen (upright bars dropped names that overlapped, "Refunded"
 * among them). Whole-number ticks; each bar says its count, so there is no tooltip to
 * hover for it (nor one left standing after the page loads).
 */
function StatusChart({
  title,
  data,
  color,
}: {
  title: string;
  data: { status: string; count: number }[];
  color: string;
}) {
  const ticks = integerTicks(Math.max(0, ...data.map((d) => d.count)));
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      <BarChart
        h={data.length * 30 + 40}
        data={data}
        dataKey="status"
        orientation="vertical"
        series={[{ name: 'count', label: title, color }]}
        withTooltip={false}
        withBarValueLabel
        valueLabelProps={{ formatter: countLabel }}
        maxBarWidth={20}
        gridAxis="x"
        tickLine="none"
        yAxisProps={{ width: 150, interval: 0 }}
        xAxisProps={{
          ticks,
          domain: tickDomain(ticks),
          allowDecimals: false,
          interval: 0,
        }}
      />
    </Paper>
  );
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
  // Today, as the page first drew: the per-day chart ends on it.
  const [now] = useState(() => Date.now());
  const count = (rec: Record<string, number>, k: string) => rec[k] ?? 0;
  const caseData = CASE_STATUSES.map((k) => ({
    status: label(k),
    count: count(s.cases_by_status, k),
  }));
  const refundData = REFUND_STATUSES.map((k) => ({
    status: label(k),
    count: count(s.refunds_by_status, k),
  }));
  const perDay = everyDay(s.refunds_per_day ?? [], now).map((d) => ({
    day: formatDay(d.day),
    count: d.count,
  }));
  const dayTicks = integerTicks(Math.max(0, ...perDay.map((d) => d.count)), 5);
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
          value={formatDuration(s.median_seconds_to_final_30d)}
        />
        <StatCard
          title="Processing"
          value={count(s.refunds_by_status, 'processing')}
          to="/refunds?status=processing"
        />
      </SimpleGrid>
      <SlaAndMoneyPanel stats={s} />
      <ReasonsPanel rows={s.refunds_by_reason ?? []} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <StatusChart title="Cases by status" data={caseData} color="indigo.6" />
        <StatusChart title="Refunds by status" data={refundData} color="teal.6" />
      </SimpleGrid>
      <Paper
        withBorder
        p="md"
        radius="md"
        component="section"
        aria-label="Refunds requested per day"
      >
        <Title order={2} size="h5" mb="sm">
          Refunds requested per day (last 30 days)
        </Title>
        {/* Every day of the 30, a zero where there was none: one day of data is one slim
            bar among thirty, dated "1 Dec"; the axis thins its dates when they would touch. */}
        {perDay.some((d) => d.count > 0) ? (
          <BarChart
            h={220}
            data={perDay}
            dataKey="day"
            series={[{ name: 'count', label: 'refunds requested', color: 'violet.6' }]}
            withTooltip={false}
            withBarValueLabel
            valueLabelProps={{ formatter: (v: unknown) => (v ? String(v) : '') }}
            maxBarWidth={24}
            tickLine="none"
            xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 12 }}
            yAxisProps={{
              ticks: dayTicks,
              domain: tickDomain(dayTicks),
              allowDecimals: false,
              width: 32,
            }}
          />
        ) : (
          <Text size="sm" c="dimmed">
            No refunds were requested in the last 30 days.
          </Text>
        )}
      </Paper>
    </Stack>
  );
}
