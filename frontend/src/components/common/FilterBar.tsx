import {
  Button,
  Chip,
  Collapse,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconAdjustmentsHorizontal } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { label } from '@/services/format';

export type FilterPatch = Record<string, string | string[] | undefined>;

export interface SelectFilter {
  kind: 'select';
  name: string;
  label: string;
  options: readonly (string | { value: string; label: string })[];
}
export interface TextFilter {
  kind: 'text';
  name: string;
  label: string;
  placeholder?: string;
}
export type FilterField = SelectFilter | TextFilter;

interface Props {
  statuses: readonly string[];
  fields: FilterField[];
  values: FilterPatch;
  onChange: (patch: FilterPatch) => void;
  onClear: () => void;
  onSaveDefault?: () => void;
  /** A customer's few cases or refunds need a search and the statuses, not a triage panel
   * (date ranges, saved defaults). */
  simple?: boolean;
}

function SearchText({
  field,
  value,
  onChange,
}: {
  field: TextFilter;
  value: string;
  onChange: (v: string) => void;
}) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  // The URL changed under us (back button, "Clear filters"): show what it says now.
  if (seen !== value) {
    setSeen(value);
    setText(value);
  }
  // Typing settles for 400 ms before the URL changes. A pending change dies with the field,
  // so it cannot pull the user back to the list after they have moved on.
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const commit = (v: string) => {
    clearTimeout(timer.current);
    if (v !== value) onChange(v);
  };
  return (
    <TextInput
      label={field.label}
      placeholder={field.placeholder}
      value={text}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setText(v);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => commit(v), 400);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit(text);
      }}
      w={{ base: '100%', sm: 200 }}
    />
  );
}

/** The filters of an overview list. It only reports changes; the URL keeps the state. */
export function FilterBar({
  statuses,
  fields,
  values,
  onChange: reportChange,
  onClear,
  onSaveDefault,
  simple = false,
}: Props) {
  // "Saved" stays in view until the filters change again.
  const [savedNotice, setSavedNotice] = useState<string | null>(null);
  const onChange = (patch: FilterPatch) => {
    setSavedNotice(null);
    reportChange(patch);
  };
  const saveDefault = onSaveDefault
    ? () => {
        onSaveDefault();
        setSavedNotice('Saved: these filters open by default next time.');
      }
    : undefined;
  const status = (values.status as string[] | undefined) ?? [];
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : '');
  // On a phone the filters fold away behind one button, so the list stays in view.
  const wide = useMediaQuery('(min-width: 48em)', true);
  const [unfolded, setUnfolded] = useState(false);
  const active = Object.entries(values).filter(
    ([k, v]) => k !== 'sort' && (Array.isArray(v) ? v.length : v),
  ).length;
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-label="Filters">
      {!wide ? (
        <Button
          variant="subtle"
          size="compact-sm"
          leftSection={<IconAdjustmentsHorizontal size={16} />}
          onClick={() => setUnfolded((o) => !o)}
          aria-expanded={unfolded}
        >
          {unfolded ? 'Hide filters' : `Filters${active ? ` (${active} active)` : ''}`}
        </Button>
      ) : null}
      <Collapse in={wide || unfolded}>
        <Stack gap="sm" mt={wide ? 0 : 'sm'}>
          <div role="group" aria-label="Status">
            <Text size="sm" fw={500} mb={4}>
              Status
            </Text>
            <Chip.Group multiple value={status} onChange={(v) => onChange({ status: v })}>
              <Group gap={6}>
                {statuses.map((s) => (
                  <Chip key={s} value={s} size="xs">
                    {label(s)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
          </div>
          <Group gap="sm" align="flex-end">
            {fields.map((f) =>
              f.kind === 'select' ? (
                <NativeSelect
                  key={f.name}
                  label={f.label}
                  value={str(f.name)}
                  onChange={(e) => onChange({ [f.name]: e.currentTarget.value || undefined })}
                  data={[
                    { value: '', label: 'Any' },
                    ...f.options.map((o) =>
                      typeof o === 'string' ? { value: o, label: label(o) } : o,
                    ),
                  ]}
                  w={{ base: '100%', xs: 160 }}
                />
              ) : (
                <SearchText
                  key={f.name}
                  field={f}
                  value={str(f.name)}
                  onChange={(v) => onChange({ [f.name]: v || undefined })}
                />
              ),
            )}
            {simple ? null : (
              <>
                <TextInput
                  type="date"
                  label="Created from"
                  value={str('created_after')}
                  onChange={(e) => onChange({ created_after: e.currentTarget.value || undefined })}
                  w={{ base: '100%', xs: 160 }}
                />
                <TextInput
                  type="date"
                  label="Created until"
                  value={str('created_before')}
                  onChange={(e) => onChange({ created_before: e.currentTarget.value || undefined })}
                  w={{ base: '100%', xs: 160 }}
                />
              </>
            )}
          </Group>
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={onClear}>
              Clear filters
            </Button>
            {saveDefault && !simple ? (
              <Button size="xs" variant="light" onClick={saveDefault}>
                Save as my default filters
              </Button>
            ) : null}
            {savedNotice ? (
              <Text size="xs" c="dimmed" role="status">
                {savedNotice}
              </Text>
            ) : null}
          </Group>
        </Stack>
      </Collapse>
    </Paper>
  );
}
