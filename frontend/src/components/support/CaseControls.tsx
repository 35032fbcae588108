import { Alert, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { label } from '@/services/format';
import { ApiError } from '@/services/http';
import { PRIORITIES, type CasePatch, type SupportCase } from '@/services/types';

/** Where staff may move a case from each status (SPEC §4); closed is final. */
const STAFF_MOVES: Record<SupportCase['status'], SupportCase['status'][]> = {
  open: ['in_progress', 'waiting_on_customer', 'resolved', 'closed'],
  in_progress: ['open', 'waiting_on_customer', 'resolved', 'closed'],
  waiting_on_customer: ['open', 'in_progress', 'resolved', 'closed'],
  resolved: ['open', 'in_progress', 'waiting_on_customer', 'closed'],
  closed: [],
};

interface Props {
  supportCase: SupportCase;
  meId: string;
  staff?: { id: string; name: string }[];
  onPatch: (patch: CasePatch) => Promise<unknown>;
  onReload: () => void;
}

export function StaffCaseControls({ supportCase: c, meId, staff = [], onPatch, onReload }: Props) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const run = async (what: string, patch: CasePatch) => {
    setError(null);
    setBusy(what);
    try {
      await onPatch(patch);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const closed = c.status === 'closed';
  const moves = STAFF_MOVES[c.status];
  return (
    <Stack gap="sm">
      <NativeSelect
        label="Status"
        value=""
        disabled={closed || !!busy}
        onChange={(e) => {
          const to = e.currentTarget.value as SupportCase['status'];
          if (to) void run('status', { status: to });
        }}
        data={[
          { value: '', label: `${label(c.status)} — move to…` },
          ...moves.map((s) => ({ value: s, label: label(s) })),
        ]}
        description={closed ? 'A closed case is final.' : undefined}
      />
      <NativeSelect
        label="Priority"
        value={c.priority}
        disabled={closed || !!busy}
        onChange={(e) =>
          void run('priority', { priority: e.currentTarget.value as SupportCase['priority'] })
        }
        data={PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
      />
      <NativeSelect
        label="Assignee"
        value={c.assignee_id ?? ''}
        disabled={closed || !!busy}
        onChange={(e) => void run('assign', { assignee_id: e.currentTarget.value || null })}
        data={[
          { value: '', label: 'Unassigned' },
          { value: meId, label: 'Me' },
          ...staff.filter((s) => s.id !== meId).map((s) => ({ value: s.id, label: s.name })),
          ...(c.assignee_id && c.assignee_id !== meId && !staff.some((s) => s.id === c.assignee_id)
            ? [{ value: c.assignee_id, label: c.assignee_id }]
            : []),
        ]}
      />
      {c.assignee_id !== meId && !closed ? (
        <Button
          size="xs"
          variant="light"
          loading={busy === 'assign'}
          onClick={() => void run('assign', { assignee_id: meId })}
        >
          Assign to me
        </Button>
      ) : null}
      {error ? (
        <Alert
          color={error instanceof ApiError && error.status === 409 ? 'yellow' : 'red'}
          role="alert"
        >
          <Text size="sm">
            {error instanceof ApiError ? error.plainMessage : 'That did not work.'}
          </Text>
          {error instanceof ApiError && error.status === 409 ? (
            <Button size="xs" variant="light" mt="xs" onClick={onReload}>
              Reload
            </Button>
          ) : null}
        </Alert>
      ) : null}
    </Stack>
  );
}

export function CustomerCaseControls({
  supportCase: c,
  onPatch,
}: Omit<Props, 'meId' | 'onReload'>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (patch: CasePatch) => {
    setError(null);
    setBusy(true);
    try {
      await onPatch(patch);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (c.status === 'closed')
    return (
      <Text size="sm" c="dimmed">
        This case is closed.
      </Text>
    );
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {c.status === 'resolved' ? (
          <Button
            size="xs"
            variant="light"
            loading={busy}
            onClick={() => void run({ status: 'open' })}
          >
            Reopen case
          </Button>
        ) : null}
        <Button
          size="xs"
          variant="default"
          loading={busy}
          onClick={() => void run({ status: 'closed' })}
        >
          Close case
        </Button>
      </Group>
      {error ? (
        <Alert color="red" role="alert">
          {error instanceof ApiError ? error.plainMessage : 'That did not work.'}
        </Alert>
      ) : null}
    </Stack>
  );
}
