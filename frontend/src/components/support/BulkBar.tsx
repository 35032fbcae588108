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

/** One bulk action: pick a value, then apply it to every selected case. */
function PickAndApply({
  name,
  action,
  data,
  width,
  busy,
  onApply,
}: {
  name: string;
  action: string;
  data: { value: string; label: string }[];
  width: number;
  busy: boolean;
  onApply: (value: string) => void;
}) {
  const [value, setValue] = useState<string | null>(null);
  return (
    <Group gap={4} align="flex-end" wrap="nowrap">
      <Select
        size="xs"
        label={name}
        placeholder="Choose"
        data={data}
        value={value}
        onChange={setValue}
        w={width}
      />
      <Button
        size="xs"
        disabled={!value}
        loading={busy}
        onClick={() => (value ? onApply(value) : undefined)}
      >
        {action}
      </Button>
    </Group>
  );
}

/** What to do with the selected cases: assign, change status, change priority. */
export function BulkBar({ count, staff, meId, busy, onApply, onClear }: Props) {
  const people = [
    { value: meId, label: 'Me' },
    ...staff.filter((s) => s.id !== meId).map((s) => ({ value: s.id, label: s.name })),
    { value: UNASSIGN, label: 'Nobody (unassign)' },
  ];
  return (
    // Stays in view under the header while rows further down are picked (a phone's list is
    // long, and the bar is what the picking is for).
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label="Bulk actions"
      shadow="sm"
      style={{
        position: 'sticky',
        top: 'calc(var(--app-shell-header-height, 56px) + 8px)',
        zIndex: 5,
      }}
    >
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
          <PickAndApply
            name="Assign to"
            action="Assign"
            data={people}
            width={170}
            busy={busy}
            onApply={(who) => onApply({ assignee_id: who === UNASSIGN ? null : who })}
          />
          <PickAndApply
            name="Status"
            action="Set status"
            data={CASE_STATUSES.map((s) => ({ value: s, label: label(s) }))}
            width={170}
            busy={busy}
            onApply={(status) => onApply({ status: status as BulkChanges['status'] })}
          />
          <PickAndApply
            name="Priority"
            action="Set priority"
            data={PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
            width={130}
            busy={busy}
            onApply={(priority) => onApply({ priority: priority as BulkChanges['priority'] })}
          />
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
