import { Alert, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { ConfirmButton } from '@/components/common/ConfirmButton';
import { label, sentence } from '@/services/format';
import { ApiError } from '@/services/http';
import { PRIORITIES, type CasePatch, type SupportCase } from '@/services/types';

type CaseAction = SupportCase['allowed_actions'][number];

/** What the server says about one action on the case: allowed, or why not. */
export function caseAction(c: SupportCase, action: CaseAction) {
  const blocked = c.blocked_actions.find((b) => b.action === action);
  return {
    allowed: c.allowed_actions.includes(action),
    why: blocked ? sentence(blocked.detail) : undefined,
  };
}

interface Props {
  supportCase: SupportCase;
  meId: string;
  staff?: { id: string; name: string }[];
  onPatch: (patch: CasePatch) => Promise<unknown>;
  onReload: () => void;
  /** Another write on this case (a message) is still being saved and the case reloaded:
   * a change now would carry the version from before it and be refused as someone else's. */
  writing?: boolean;
}

export function StaffCaseControls({
  supportCase: c,
  meId,
  staff = [],
  onPatch,
  onReload,
  writing = false,
}: Props) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const held = !!busy || writing;
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
  // Where the case may go, and who may change what, is the server's answer.
  const moves = c.allowed_moves;
  const assign = caseAction(c, 'assign');
  const priority = caseAction(c, 'change_priority');
  return (
    <Stack gap="sm">
      <NativeSelect
        label="Status"
        value=""
        disabled={!moves.length || held}
        onChange={(e) => {
          const to = e.currentTarget.value as SupportCase['status'];
          if (to) void run('status', { status: to });
        }}
        data={[
          { value: '', label: `${label(c.status)} — move to…` },
          ...moves.map((s) => ({ value: s, label: label(s) })),
        ]}
        description={moves.length ? undefined : caseAction(c, 'close').why}
      />
      <NativeSelect
        label="Priority"
        value={c.priority}
        disabled={!priority.allowed || held}
        onChange={(e) =>
          void run('priority', { priority: e.currentTarget.value as SupportCase['priority'] })
        }
        data={PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
      />
      <NativeSelect
        label="Assignee"
        value={c.assignee_id ?? ''}
        disabled={!assign.allowed || held}
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
      {c.assignee_id !== meId && assign.allowed ? (
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
  const close = caseAction(c, 'close');
  const reopen = caseAction(c, 'reopen');
  if (!close.allowed && !reopen.allowed)
    return (
      <Text size="sm" c="dimmed">
        {close.why ?? 'Nothing to change on this case now.'}
      </Text>
    );
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {reopen.allowed ? (
          <Button
            size="xs"
            variant="light"
            loading={busy}
            onClick={() => void run({ status: 'open' })}
          >
            Reopen case
          </Button>
        ) : null}
        {close.allowed ? (
          <ConfirmButton
            size="xs"
            variant="default"
            loading={busy}
            title="Close this case?"
            consequence="A closed case cannot be reopened: nobody can reply on it or ask for a refund from it any more. If you need help again, you can open a new case."
            confirmLabel="Close case"
            onConfirm={() => void run({ status: 'closed' })}
          >
            Close case
          </ConfirmButton>
        ) : null}
      </Group>
      {close.allowed ? null : (
        <Text size="xs" c="dimmed">
          {close.why}
        </Text>
      )}
      {error ? (
        <Alert color="red" role="alert">
          {error instanceof ApiError ? error.plainMessage : 'That did not work.'}
        </Alert>
      ) : null}
    </Stack>
  );
}
