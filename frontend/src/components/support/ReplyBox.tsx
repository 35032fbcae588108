import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Button,
  Checkbox,
  CloseButton,
  Code,
  Group,
  Mark,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { useEffect, useId, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { useDraft } from './useDraft';
import { label } from '@/services/format';
import {
  fillPlaceholders,
  missingPlaceholders,
  type PlaceholderValues,
} from '@/services/placeholders';
import type { CannedReply, CaseStatus } from '@/services/types';
import { applyServerErrors, problemText, STAFF_ONLY, VISIBLE_TO_CUSTOMER } from '../common/forms';
import { CannedReplyPicker } from './CannedReplyPicker';
import { FileDrop, filesOfPaste } from '../attachments/FileDrop';
import type { Uploads } from '@/services/uploads';

const replySchema = z.object({
  body: z
    .string()
    .trim()
    .min(1, 'Write a message first')
    .max(10_000, 'Keep it to 10,000 characters or fewer'),
  internal: z.boolean(),
});
type Reply = z.infer<typeof replySchema>;
/** What is sent: the words, and the files uploaded for them. */
type Sent = Reply & { attachment_ids?: string[] };

interface Props {
  allowInternal: boolean;
  disabled?: boolean;
  onSend: (reply: Sent) => Promise<unknown>;
  /** Files for the message: uploaded as they are picked, named by the message when sent. */
  uploads?: Uploads;
  /** Told whether there is unsent text, so the page can watch for others' changes. */
  onEditingChange?: (editing: boolean) => void;
  /** Who else changed the case while this reply was being written, if anyone. */
  changedBy?: string | null;
  onReload?: () => void;
  /** Where the unsent text is kept in this browser (`draftKey(user, case)`) until sent. */
  draftKey?: string;
  /** Staff: the canned replies to choose from (`/` at the start of the box, or the button). */
  cannedReplies?: CannedReply[];
  /** What the case gives each placeholder of a canned reply. */
  placeholderValues?: PlaceholderValues;
  /** Moves the case, after the reply is sent, to a canned reply's status. */
  onSetStatus?: (status: CaseStatus) => Promise<unknown>;
}

export function ReplyBox({
  allowInternal,
  disabled,
  onSend,
  onEditingChange,
  changedBy,
  onReload,
  draftKey,
  cannedReplies,
  placeholderValues = {},
  onSetStatus,
  uploads,
}: Props) {
  const [formError, setFormError] = useState<string | null>(null);
  const draft = useDraft(draftKey);
  const [picking, setPicking] = useState(false);
  const [setStatus, setSetStatus] = useState<CaseStatus | null>(
    () => (draft.initial?.setStatus as CaseStatus | undefined) ?? null,
  );
  const missingId = useId();
  const {
    register,
    handleSubmit,
    reset,
    setError,
    setValue,
    setFocus,
    control,
    formState: { errors, isSubmitting },
  } = useForm<Reply>({
    resolver: zodResolver(replySchema),
    defaultValues: {
      body: draft.initial?.body ?? '',
      internal: allowInternal && !!draft.initial?.internal,
    },
  });
  const internal = useWatch({ control, name: 'internal' });
  const body = useWatch({ control, name: 'body' });
  const editing = body.trim() !== '';
  // A placeholder the case could not fill: never sent as it stands.
  const missing = missingPlaceholders(body);
  const canned = !!cannedReplies && !disabled;
  const { keep } = draft;
  useEffect(() => {
    keep({ body, internal, ...(setStatus ? { setStatus } : {}) });
  }, [keep, body, internal, setStatus]);
  useEffect(() => onEditingChange?.(editing), [editing, onEditingChange]);

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    if (missingPlaceholders(values.body).length) return;
    try {
      await onSend(uploads ? { ...values, attachment_ids: uploads.ids } : values);
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['body', 'internal']));
      return;
    }
    uploads?.clear();
    draft.clear();
    reset({ body: '', internal: values.internal });
    const status = setStatus;
    setSetStatus(null);
    if (status && onSetStatus) {
      try {
        await onSetStatus(status);
      } catch (err) {
        setFormError(`Sent. The status was not changed: ${problemText(err)}`);
      }
    }
  });

  const insert = (reply: CannedReply) => {
    setPicking(false);
    const filled = fillPlaceholders(reply.body, placeholderValues);
    const before = body.trim() ? `${body.replace(/\s+$/, '')}\n\n` : '';
    setValue('body', before + filled, { shouldDirty: true });
    setSetStatus(reply.set_status ?? null);
    setTimeout(() => setFocus('body'), 0);
  };

  const bodyField = register('body');
  return (
    <form onSubmit={submit} noValidate aria-label="Reply">
      <Stack gap="xs">
        <Textarea
          label={internal ? 'Internal note (customers never see it)' : 'Your reply'}
          description={
            allowInternal
              ? `${internal ? STAFF_ONLY : VISIBLE_TO_CUSTOMER}${canned ? '. Type / for a canned reply.' : ''}`
              : undefined
          }
          autosize
          minRows={3}
          disabled={disabled}
          {...bodyField}
          onPaste={(e) => {
            const files = filesOfPaste(e);
            if (uploads && files.length) {
              e.preventDefault();
              uploads.add(files, internal);
            }
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void submit();
            } else if (e.key === '/' && canned && e.currentTarget.value === '') {
              e.preventDefault();
              setPicking(true);
            }
          }}
          error={errors.body?.message}
        />
        {uploads ? (
          <FileDrop
            pending={uploads.pending}
            onAdd={(files) => uploads.add(files, internal)}
            onRemove={uploads.remove}
            disabled={disabled}
            description={allowInternal ? (internal ? STAFF_ONLY : VISIBLE_TO_CUSTOMER) : undefined}
          />
        ) : null}
        {missing.length ? (
          <Alert color="red" variant="light" id={missingId} title="Not filled in">
            <Text size="sm">
              This case has nothing for{' '}
              {missing.map((name, i) => (
                <span key={name}>
                  {i ? ', ' : ''}
                  <Mark color="red">
                    <Code>{name === '{{' ? '{{ or }}' : `{{${name}}}`}</Code>
                  </Mark>
                </span>
              ))}
              : write it in the text before sending.
            </Text>
          </Alert>
        ) : null}
        {setStatus ? (
          <Group gap={4} wrap="nowrap">
            <Text size="sm" data-testid="sets-status">
              Will also set status: <strong>{label(setStatus)}</strong>
            </Text>
            <CloseButton
              size="sm"
              aria-label="Do not change the status"
              onClick={() => setSetStatus(null)}
            />
          </Group>
        ) : null}
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
          <Group gap="sm">
            {allowInternal ? (
              <Checkbox
                label="Internal note"
                {...register('internal')}
                // A file is uploaded as public or internal: switching would mismatch it.
                disabled={!!uploads?.pending.length}
                title={uploads?.pending.length ? 'Remove the files to switch' : undefined}
              />
            ) : null}
            {canned ? (
              <Button variant="subtle" size="xs" onClick={() => setPicking(true)}>
                Canned reply
              </Button>
            ) : null}
          </Group>
          <Button
            type="submit"
            loading={isSubmitting}
            disabled={disabled || missing.length > 0 || !!uploads?.busy}
            aria-describedby={missing.length ? missingId : undefined}
            color={internal ? 'yellow' : undefined}
            title="Ctrl+Enter or ⌘+Enter sends"
          >
            {internal ? 'Add note' : 'Send'}
          </Button>
        </Group>
      </Stack>
      {cannedReplies ? (
        <CannedReplyPicker
          opened={picking}
          replies={cannedReplies}
          onPick={insert}
          onClose={() => {
            setPicking(false);
            setTimeout(() => setFocus('body'), 0);
          }}
        />
      ) : null}
    </form>
  );
}
