import { ColorSwatch, Group, Progress, Stack, Text } from '@mantine/core';
import { formatMoney } from '@/services/format';
import type { Compensation } from '@/services/types';

/** The order's one compensation budget: everything given back for it (refunds of units or
 * of amounts, settlements) draws on what the customer paid, so it shows what has gone out,
 * what open refunds hold, and what remains to give. */
export function CompensationSummary({
  compensation,
  compact = false,
}: {
  compensation: Compensation;
  compact?: boolean;
}) {
  const { currency, paid, out, held, remaining } = compensation;
  const money = (n: number) => formatMoney(n, currency);
  const share = (n: number) => (paid > 0 ? (100 * n) / paid : 0);
  const figures: [string, string, number][] = [
    ['Paid', 'dark', paid],
    ['Given back', 'teal', out],
    ['Held by open refunds', 'yellow', held],
    ['Remains to give', 'blue', remaining],
  ];
  return (
    <Stack gap={6} aria-label="Money back on this order" role="group">
      {compact ? null : (
        <Text size="sm" fw={600}>
          Money back on this order
        </Text>
      )}
      <Progress.Root size="md" aria-hidden>
        <Progress.Section value={share(out)} color="teal" />
        <Progress.Section value={share(held)} color="yellow" />
      </Progress.Root>
      <Group gap="lg" component="dl" m={0}>
        {figures.map(([term, color, value]) => (
          <div key={term}>
            <Group component="dt" gap={4} wrap="nowrap">
              {color === 'dark' ? null : (
                // The bar's colour for this figure; the words say the same.
                <ColorSwatch color={`var(--mantine-color-${color}-6)`} size={8} aria-hidden />
              )}
              <Text size="xs" c="dimmed">
                {term}
              </Text>
            </Group>
            <Text component="dd" size="sm" m={0} fw={term === 'Remains to give' ? 700 : 400}>
              {money(value)}
            </Text>
          </div>
        ))}
      </Group>
    </Stack>
  );
}
