import { Alert, Button, Group, List, Paper, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { label } from '@/services/format';
import {
  CASE_STATUSES,
  PRIORITIES,
  type BulkChanges,
  type BulkRow,
  type StaffMember,
} from '@/services/types';

interface Props {
  count: number;
  staff: StaffMember[];
  meId: string;
  busy: boolean;
  onApply: (changes: BulkChanges) => void;
  onClear: () => void;
}

const UNASSIGN = '__nobody__';

/** What to do with the selected cases: assign, change status, change priority. */
export function BulkBar({ count, staff, meId, busy, onApply, onClear }: Props) {
  const [assignee, setAssignee] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [priority, setPriority] = useState<string | null>(null);
  const people = [
    { value: meId, label: 'Me' },
    ...staff.filter((s) => s.id !== meId).map((s) => ({ value: s.id, label: s.name })),
    { value: UNASSIGN, label: 'Nobody (unassign)' },
  ];
  return (
    <Paper withBorder p="sm" component="section" aria-label="Bulk actions">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text size="sm" fw={600}>
            {count} selected
          </Text>
          <Button size="compact-sm" variant="subtle" onClick={onClear}>
            Clear selection
          </Button>
        </Group>
        <Group align="flex-end" gap="sm">
          <Group gap={4} align="flex-end" wrap="nowrap">
            <Select
              size="xs"
              label="Assign to"
              placeholder="Choose"
              data={people}
              value={assignee}
              onChange={setAssignee}
              w={170}
            />
            <Button
              size="xs"
              disabled={!assignee}
              loading={busy}
              onClick={() =>
                onApply({ assignee_id: assignee === UNASSIGN ? null : (assignee ?? undefined) })
              }
            >
              Assign
            </Button>
          </Group>
          <Group gap={4} align="flex-end" wrap="nowrap">
            <Select
              size="xs"
              label="Status"
              placeholder="Choose"
              data={CASE_STATUSES.map((s) => ({ value: s, label: label(s) }))}
              value={status}
              onChange={setStatus}
              w={170}
            />
            <Button
              size="xs"
              disabled={!status}
              loading={busy}
              onClick={() => onApply({ status: status as BulkChanges['status'] })}
            >
              Set status
            </Button>
          </Group>
          <Group gap={4} align="flex-end" wrap="nowrap">
            <Select
              size="xs"
              label="Priority"
              placeholder="Choose"
              data={PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
              value={priority}
              onChange={setPriority}
              w={130}
            />
            <Button
              size="xs"
              disabled={!priority}
              loading={busy}
              onClick={() => onApply({ priority: priority as BulkChanges['priority'] })}
            >
              Set priority
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}

/** Which rows of a bulk change were made, and why the others were not. */
export function BulkResults({
  rows,
  subjects,
  onDismiss,
}: {
  rows: BulkRow[];
  subjects: Record<string, string>;
  onDismiss: () => void;
}) {
  const done = rows.filter((r) => r.ok);
  const refused = rows.filter((r) => !r.ok);
  // The alert announces itself; the section names it for finding again.
  return (
    <section aria-label="Bulk action results">
      <Alert
        color={refused.length ? 'yellow' : 'green'}
        title={`${done.length} of ${rows.length} changed`}
        withCloseButton
        closeButtonLabel="Dismiss"
        onClose={onDismiss}
      >
        {refused.length ? (
          <List size="sm" spacing={2}>
            {refused.map((r) => (
              <List.Item key={r.id}>
                <strong>{subjects[r.id] ?? r.id}</strong>: not changed — {r.detail ?? r.code}
              </List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm">Every selected case was changed.</Text>
        )}
      </Alert>
    </section>
  );
}
