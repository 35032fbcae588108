import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { label } from '@/services/format';
import { PLACEHOLDERS } from '@/services/placeholders';
import { CASE_STATUSES, type CannedReply, type CannedReplyInput } from '@/services/types';
import { applyServerErrors } from '../common/forms';

// The API's limits (title 1..120, body 1..5000).
const schema = z.object({
  title: z.string().trim().min(1, 'Give it a title').max(120, 'Keep the title to 120 characters'),
  body: z
    .string()
    .refine((v) => v.trim().length > 0, 'Write the reply')
    .refine((v) => v.length <= 5000, 'Keep it to 5,000 characters or fewer'),
  shared: z.boolean(),
  set_status: z.string(),
});
type Values = z.infer<typeof schema>;

interface Props {
  reply?: CannedReply;
  onSave: (body: CannedReplyInput) => Promise<unknown>;
  onCancel?: () => void;
}

export function CannedReplyForm({ reply, onSave, onCancel }: Props) {
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    control,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      title: reply?.title ?? '',
      body: reply?.body ?? '',
      shared: reply?.shared ?? false,
      set_status: reply?.set_status ?? '',
    },
  });
  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await onSave({
        title: v.title,
        body: v.body,
        shared: v.shared,
        set_status: (v.set_status || null) as CannedReplyInput['set_status'],
      });
      if (!reply) reset();
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['title', 'body', 'shared', 'set_status']));
    }
  });
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={reply ? `Edit ${reply.title}` : 'New canned reply'}
    >
      <Stack gap="xs">
        <TextInput label="Title" {...register('title')} error={errors.title?.message} />
        <Textarea
          label="Text"
          description={`Placeholders filled from the case: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`}
          autosize
          minRows={4}
          {...register('body')}
          error={errors.body?.message}
        />
        <Group align="flex-end">
          <Controller
            control={control}
            name="set_status"
            render={({ field }) => (
              <Select
                label="Also set the case's status"
                data={[
                  { value: '', label: 'No change' },
                  ...CASE_STATUSES.map((s) => ({ value: s, label: label(s) })),
                ]}
                value={field.value}
                onChange={(v) => field.onChange(v ?? '')}
                allowDeselect={false}
                w={240}
                error={errors.set_status?.message}
              />
            )}
          />
          <Checkbox label="Shared with the team" {...register('shared')} mb={8} />
        </Group>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Group>
          <Button type="submit" loading={isSubmitting}>
            {reply ? 'Save' : 'Add canned reply'}
          </Button>
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
        </Group>
      </Stack>
    </form>
  );
}
