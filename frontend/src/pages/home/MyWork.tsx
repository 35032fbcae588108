import { Alert, Anchor, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { problemText } from '@/components/common/forms';
import { QueryState } from '@/components/common/QueryState';
import { RefundTable } from '@/components/refund/RefundTable';
import { QueueTable } from '@/components/support/QueueTable';
import { useAssignToMe, useCaseList } from '@/hooks/useCases';
import { useRefundList } from '@/hooks/useRefunds';
import { useMe } from '@/hooks/useSession';
import type { CaseListQuery } from '@/services/types';

// Mine that need me: open or in progress, or the customer wrote last (the server's rule,
// `attention=needed`), the soonest due first (the SLA clocks; cases with none last).
const MINE: CaseListQuery = {
  assignee_id: 'me',
  attention: 'needed',
  sort: 'due_at',
  limit: 50,
};
// Nobody's and not done with: for anyone to take.
const UNASSIGNED: CaseListQuery = {
  assignee_id: 'none',
  status: ['open', 'in_progress', 'waiting_on_customer'],
  sort: '-priority',
  limit: 25,
};
const REQUESTED = { status: ['requested' as const], sort: 'created_at', limit: 100 };

function Section({
  title,
  more,
  children,
}: {
  title: string;
  more?: { to: string; text: string };
  children: React.ReactNode;
}) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {title}
        </Title>
        {more ? (
          <Anchor component={Link} to={more.to} size="sm">
            {more.text}
          </Anchor>
        ) : null}
      </Group>
      {children}
    </Paper>
  );
}

/** The staff's home: the cases that need me, the ones nobody has taken, and for supervisors
 * the refunds only they may approve. */
export function MyWork() {
  const me = useMe();
  const [now] = useState(() => Date.now());
  const mine = useCaseList(MINE);
  const unassigned = useCaseList(UNASSIGNED);
  const take = useAssignToMe();
  const [error, setError] = useState<string | null>(null);
  const approver = me.role === 'supervisor' || me.role === 'admin';
  const requested = useRefundList(REQUESTED);
  const mineRows = mine.data?.pages.flatMap((p) => p.items) ?? [];
  const freeRows = unassigned.data?.pages.flatMap((p) => p.items) ?? [];
  const forMe = (requested.data?.pages.flatMap((p) => p.items) ?? []).filter(
    (r) => r.needs_supervisor,
  );

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          My work
        </Title>
        <Text c="dimmed">
          Hello {me.name.split(' ')[0]}. Your cases that need you, then the ones nobody has taken.
        </Text>
      </div>
      {error ? (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      ) : null}
      <Section title="Assigned to me" more={{ to: '/cases?assignee_id=me', text: 'All my cases' }}>
        <QueryState
          query={mine}
          isEmpty={() => !mineRows.length}
          empty={<Text size="sm">Nothing needs you right now.</Text>}
        >
          {() => <QueueTable cases={mineRows} label="Assigned to me" now={now} />}
        </QueryState>
      </Section>
      <Section
        title="Unassigned"
        more={{ to: '/cases?assignee_id=none', text: 'All unassigned cases' }}
      >
        <QueryState
          query={unassigned}
          isEmpty={() => !freeRows.length}
          empty={<Text size="sm">Every case has someone.</Text>}
        >
          {() => (
            <QueueTable
              cases={freeRows}
              label="Unassigned cases"
              now={now}
              assigning={take.isPending ? (take.variables?.caseId ?? null) : null}
              onAssignToMe={(caseId) => {
                setError(null);
                take.mutate({ caseId, meId: me.id }, { onError: (e) => setError(problemText(e)) });
              }}
            />
          )}
        </QueryState>
      </Section>
      {approver ? (
        <Section
          title="Refunds waiting for a supervisor"
          more={{ to: '/refunds/queue', text: 'Refund queue' }}
        >
          <QueryState
            query={requested}
            isEmpty={() => !forMe.length}
            empty={<Text size="sm">No refund above the approval limit is waiting.</Text>}
          >
            {() => <RefundTable refunds={forMe} showCustomer />}
          </QueryState>
        </Section>
      ) : null}
    </Stack>
  );
}
