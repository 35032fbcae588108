import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Checkbox, Group, Stack, Textarea } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { dropDraft, readDraft, saveDraft } from '@/services/drafts';
import { applyServerErrors, STAFF_ONLY, VISIBLE_TO_CUSTOMER } from '../common/forms';

const replySchema = z.object({
  body: z
    .string()
    .trim()
    .min(1, 'Write a message first')
    .max(10_000, 'Keep it to 10,000 characters or fewer'),
  internal: z.boolean(),
});
type Reply = z.infer<typeof replySchema>;

interface Props {
  allowInternal: boolean;
  disabled?: boolean;
  onSend: (reply: Reply) => Promise<unknown>;
  /** Told whether there is unsent text, so the page can watch for others' changes. */
  onEditingChange?: (editing: boolean) => void;
  /** Who else changed the case while this reply was being written, if anyone. */
  changedBy?: string | null;
  onReload?: () => void;
  /** Where the unsent text is kept in this browser (`draftKey(user, case)`) until sent. */
  draftKey?: string;
}

export function ReplyBox({
  allowInternal,
  disabled,
  onSend,
  onEditingChange,
  changedBy,
  onReload,
  draftKey,
}: Props) {
  const [formError, setFormError] = useState<string | null>(null);
  // Read once: the form owns the text from then on.
  const [draft] = useState(() => (draftKey ? readDraft(draftKey) : null));
  const {
    register,
    handleSubmit,
    reset,
    setError,
    control,
    formState: { errors, isSubmitting },
  } = useForm<Reply>({
    resolver: zodResolver(replySchema),
    defaultValues: { body: draft?.body ?? '', internal: allowInternal && !!draft?.internal },
  });
  const internal = useWatch({ control, name: 'internal' });
  const body = useWatch({ control, name: 'body' });
  const editing = body.trim() !== '';
  useEffect(() => {
    if (draftKey) saveDraft(draftKey, { body, internal });
  }, [draftKey, body, internal]);
  useEffect(() => onEditingChange?.(editing), [editing, onEditingChange]);

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSend(values);
      if (draftKey) dropDraft(draftKey);
      reset({ body: '', internal: values.internal });
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['body', 'internal']));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Reply">
      <Stack gap="xs">
        <Textarea
          label={internal ? 'Internal note (customers never see it)' : 'Your reply'}
          description={allowInternal ? (internal ? STAFF_ONLY : VISIBLE_TO_CUSTOMER) : undefined}
          autosize
          minRows={3}
          disabled={disabled}
          {...register('body')}
          error={errors.body?.message}
        />
        {changedBy ? (
          <Alert color="yellow" role="status" title="Changed while you were writing">
            This case was changed by {changedBy} — reload to see.
            {onReload ? (
              <Button size="xs" variant="light" ml="sm" onClick={onReload}>
                Reload
              </Button>
            ) : null}
          </Alert>
        ) : null}
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Group justify="space-between">
          {allowInternal ? <Checkbox label="Internal note" {...register('internal')} /> : <span />}
          <Button
            type="submit"
            loading={isSubmitting}
            disabled={disabled}
            color={internal ? 'yellow' : undefined}
          >
            {internal ? 'Add note' : 'Send'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
