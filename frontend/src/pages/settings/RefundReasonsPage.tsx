import { zodResolver } from '@hookform/resolvers/zod';
import {
  Badge,
  Button,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { applyServerErrors } from '@/components/common/forms';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { QueryState } from '@/components/common/QueryState';
import { useAddReasonCode, useChangeReasonCode, useReasonCodes } from '@/hooks/useReasonCodes';
import type { ReasonCode } from '@/services/types';
import { FormSubmit } from '@/components/common/FormSubmit';

// The server keeps this reason offered (domain/reasons.py FALLBACK_REASON): no button to
// deactivate it, only to rename it.
const FALLBACK_REASON = 'other';

// The API's limits: a code of 2..40 lower-case letters, digits and underscores; a label of
// 1..80 characters on one line.
const labelField = z
  .string()
  .trim()
  .min(1, 'Give it a label')
  .max(80, 'Keep the label to 80 characters');
const newReason = z.object({
  code: z
    .string()
    .trim()
    .regex(
      /^[a-z][a-z0-9_]{1,39}$/,
      '2 to 40 lower-case letters, digits and underscores, beginning with a letter',
    ),
  label: labelField,
});
type NewReason = z.infer<typeof newReason>;

function AddReasonForm() {
  const add = useAddReasonCode();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<NewReason>({
    resolver: zodResolver(newReason),
    defaultValues: { code: '', label: '' },
  });
  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await add.mutateAsync(v);
      reset();
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['code', 'label']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Add a reason">
      <Stack gap="sm">
        <Group align="flex-start" grow>
          <TextInput
            label="Label"
            description="What people read"
            withAsterisk
            {...register('label')}
            error={errors.label?.message}
          />
          <TextInput
            label="Code"
            description="What figures count by; it never changes"
            withAsterisk
            {...register('code')}
            error={errors.code?.message}
          />
        </Group>
        <FormSubmit error={formError} loading={isSubmitting}>
          Add reason
        </FormSubmit>
      </Stack>
    </form>
  );
}

function RenameForm({ reason, onDone }: { reason: ReasonCode; onDone: () => void }) {
  const change = useChangeReasonCode();
  const [formError, setFormError] = useState<string | null>(null);
  const schema = z.object({ label: labelField });
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<{ label: string }>({
    resolver: zodResolver(schema),
    defaultValues: { label: reason.label },
  });
  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await change.mutateAsync({ code: reason.code, body: v, version: reason.version });
      onDone();
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['label']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label={`Rename ${reason.label}`}>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <TextInput
          size="xs"
          label={`New label for ${reason.code}`}
          {...register('label')}
          error={errors.label?.message ?? formError}
        />
        <Button size="xs" type="submit" mt={22} loading={isSubmitting}>
          Save
        </Button>
        <Button size="xs" variant="subtle" mt={22} onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </form>
  );
}

/** The refund reasons admins keep: add, rename, deactivate and reactivate. Codes stay
 * forever: the refunds, figures and exports that name one keep naming it. */
export function RefundReasonsPage() {
  const reasons = useReasonCodes({ includeInactive: true });
  const change = useChangeReasonCode();
  const [renaming, setRenaming] = useState<string | null>(null);
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          Refund reasons
        </Title>
        <Text c="dimmed" size="sm">
          The causes customers and staff choose from when they ask for a refund or record a
          settlement; the dashboard and the refunds export count the money by them. A deactivated
          reason is no longer offered, and stays on the refunds that have it.
        </Text>
      </div>
      <Paper withBorder p="md" component="section" aria-label="New reason">
        <Title order={2} size="h5" mb="sm">
          New reason
        </Title>
        <AddReasonForm />
      </Paper>
      {change.error ? <ProblemAlert error={change.error} /> : null}
      <QueryState query={reasons} rows={6}>
        {(list) => (
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing="xs" aria-label="Refund reasons">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Label</Table.Th>
                  <Table.Th>Code</Table.Th>
                  <Table.Th>Offered</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((r) => (
                  <Table.Tr key={r.code} data-active={r.active}>
                    <Table.Td>
                      {renaming === r.code ? (
                        <RenameForm reason={r} onDone={() => setRenaming(null)} />
                      ) : (
                        r.label
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {r.code}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={r.active ? 'teal' : 'gray'}>
                        {r.active ? 'offered' : 'deactivated'}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        {renaming === r.code ? null : (
                          <Button
                            size="compact-sm"
                            variant="light"
                            aria-label={`Rename ${r.label}`}
                            onClick={() => setRenaming(r.code)}
                          >
                            Rename
                          </Button>
                        )}
                        {r.code === FALLBACK_REASON ? (
                          <Text size="xs" c="dimmed">
                            Always offered: requests that name no reason get it
                          </Text>
                        ) : (
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color={r.active ? 'red' : 'teal'}
                            aria-label={`${r.active ? 'Deactivate' : 'Reactivate'} ${r.label}`}
                            loading={change.isPending && change.variables?.code === r.code}
                            onClick={() =>
                              change.mutate({
                                code: r.code,
                                body: { active: !r.active },
                                version: r.version,
                              })
                            }
                          >
                            {r.active ? 'Deactivate' : 'Reactivate'}
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Stack>
  );
}
