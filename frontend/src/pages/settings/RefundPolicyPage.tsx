import { Alert, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { QueryState } from '@/components/common/QueryState';
import { PolicyHistory } from '@/components/policy/PolicyHistory';
import { usePolicyVersions, useRefundPolicy } from '@/hooks/useRefundPolicy';
import { versionLine } from '@/services/policyWords';
import { PolicyDraft } from './policy/PolicyDraft';

/** The refund policy admins keep: the version in force, a draft of the next one tried on the
 * last 30 days' decisions before it is published, and every version so far
 * (docs/refund-policy.md). */
export function RefundPolicyPage() {
  const policy = useRefundPolicy();
  const versions = usePolicyVersions();
  const [conflict, setConflict] = useState<string | null>(null);
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          Refund policy
        </Title>
        <Text c="dimmed" size="sm">
          The rules every approval, rejection and settlement is decided by: the refund window, what
          an agent may decide alone, and what is never refunded. Each change is a new version; every
          decision names the version it was taken under.
        </Text>
      </div>
      {conflict ? (
        <Alert
          color="orange"
          title="Not published"
          role="alert"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setConflict(null)}
        >
          {conflict}
        </Alert>
      ) : null}
      <QueryState query={policy} rows={8}>
        {(p) => (
          <Stack gap="lg">
            <Paper withBorder p="md" component="section" aria-labelledby="policy-in-force-title">
              <Title order={2} size="h5" id="policy-in-force-title">
                In force
              </Title>
              <Text size="sm" data-testid="policy-in-force">
                {versionLine(p)}
              </Text>
            </Paper>
            {/* A new version in force (published here or by another admin) starts a new
                draft from it, and forgets the dry run of the old one. */}
            <PolicyDraft key={p.version} policy={p} onConflict={setConflict} />
          </Stack>
        )}
      </QueryState>
      <Paper withBorder p="md" component="section" aria-labelledby="policy-history-title">
        <Title order={2} size="h4" id="policy-history-title" mb="sm">
          History
        </Title>
        <QueryState query={versions} rows={3}>
          {(list) => <PolicyHistory versions={list} />}
        </QueryState>
      </Paper>
    </Stack>
  );
}
