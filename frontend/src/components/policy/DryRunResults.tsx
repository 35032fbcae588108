import { Anchor, Badge, Group, Stack, Switch, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { Money } from '@/components/ui/Money';
import { formatDate, formatDateTime, label } from '@/services/format';
import { OUTCOME_COLORS, OUTCOME_WORDS } from '@/services/policyWords';
import type { DryRun } from '@/services/types';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "12 decisions in the last 30 days; 2 would change" */
export function dryRunSummary(run: DryRun): string {
  const changed = run.changed === 0 ? 'none would change' : `${run.changed} would change`;
  return `${plural(run.decisions, 'decision')} in the last 30 days; ${changed}`;
}

const ROLE_WORDS: Record<string, string> = {
  agent: 'an agent',
  supervisor: 'a supervisor',
  admin: 'an admin',
};

/** What the last 30 days' decisions would have been under a draft, the changed ones first. */
export function DryRunResults({ run, stale }: { run: DryRun; stale: boolean }) {
  const [onlyChanges, setOnlyChanges] = useState(run.changed > 0);
  const rows = onlyChanges ? run.rows.filter((r) => r.changed) : run.rows;
  return (
    <Stack gap="sm" style={stale ? { opacity: 0.6 } : undefined}>
      <Group justify="space-between" align="flex-end">
        <div>
          <Text fw={600} data-testid="dry-run-summary">
            {dryRunSummary(run)}
          </Text>
          <Text size="xs" c="dimmed">
            Decisions from {formatDate(run.since)} to {formatDate(run.until)}, judged again under
            the draft as they were taken then (version {run.based_on_version} in force now).
            {run.truncated ? ` The table shows the first ${run.rows.length}.` : ''}
          </Text>
        </div>
        <Switch
          label="Only changes"
          checked={onlyChanges}
          onChange={(e) => setOnlyChanges(e.currentTarget.checked)}
        />
      </Group>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {run.decisions === 0
            ? 'No refund was decided in the last 30 days.'
            : 'No decision would change.'}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={1000}>
          <Table verticalSpacing="xs" aria-label="Dry run" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Refund</Table.Th>
                <Table.Th>Order</Table.Th>
                <Table.Th>Decided</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th>Then</Table.Th>
                <Table.Th>Under the draft</Table.Th>
                <Table.Th>Outcome</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.refund_id} data-outcome={r.outcome}>
                  <Table.Td>
                    {/* The id's end tells the rows apart; the whole id took the width the
                        explanations need. */}
                    <Anchor
                      component={Link}
                      to={`/refunds/${r.refund_id}`}
                      size="sm"
                      ff="monospace"
                      aria-label={`Refund ${r.refund_id}`}
                      title={r.refund_id}
                      style={{ whiteSpace: 'nowrap' }}
                    >
                      …{r.refund_id.slice(-6)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {r.order_id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {formatDateTime(r.decided_at)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {label(r.action)} by {ROLE_WORDS[r.role] ?? r.role}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm">
                      <Money amount={r.amount} currency={r.currency} />
                    </Text>
                  </Table.Td>
                  <Table.Td miw={200}>
                    <Text size="xs">{r.then.explanation}</Text>
                  </Table.Td>
                  <Table.Td miw={200}>
                    <Text size="xs">{r.draft.explanation}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      variant="light"
                      color={OUTCOME_COLORS[r.outcome]}
                      style={{ minWidth: 'max-content' }}
                    >
                      {OUTCOME_WORDS[r.outcome]}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
