import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { label } from '@/services/format';
import { CATEGORIES, CHANNELS, PRIORITIES, type CaseCreate } from '@/services/types';
import { applyServerErrors } from '../common/forms';
import { useState } from 'react';

// The API's own limits (CaseCreateIn): subject 1–200, description 1–10000, trimmed.
export const caseSchema = z.object({
  order_id: z.string().trim().min(1, 'Choose the order this is about'),
  subject: z
    .string()
    .trim()
    .min(1, 'Say in a few words what is wrong')
    .max(200, 'Keep the subject to 200 characters or fewer'),
  description: z
    .string()
    .trim()
    .min(1, 'Describe what happened')
    .max(10_000, 'Keep the description to 10,000 characters or fewer'),
  category: z.enum(CATEGORIES, { error: 'Choose a category' }),
  priority: z.enum(PRIORITIES),
  // Staff say how the customer reached them; a customer's own case leaves it out (web).
  channel: z.enum(CHANNELS).optional(),
});

type FormInput = z.input<typeof caseSchema>;

interface Props {
  orderOptions: { value: string; label: string }[];
  defaultOrderId?: string;
  /** Staff opening a case for a customer: ask by which channel the customer reached them. */
  askChannel?: boolean;
  onSubmit: (values: CaseCreate) => Promise<unknown>;
}

const FIELDS = ['order_id', 'subject', 'description', 'category', 'priority', 'channel'] as const;

export function CaseForm({ orderOptions, defaultOrderId, askChannel, onSubmit }: Props) {
  const [formError, setFormError] = useState<string | null>(null);
  const {
    control,
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<FormInput, unknown, CaseCreate>({
    resolver: zodResolver(caseSchema),
    defaultValues: {
      order_id: defaultOrderId ?? '',
      subject: '',
      description: '',
      category: undefined,
      priority: 'normal',
      channel: askChannel ? 'phone' : undefined,
    },
  });

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit(values);
    } catch (err) {
      setFormError(applyServerErrors(err, setError, FIELDS));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Open a case">
      <Stack gap="sm">
        <Controller
          control={control}
          name="order_id"
          render={({ field }) => (
            <Select
              label="Order"
              data={orderOptions}
              value={field.value || null}
              onChange={(v) => field.onChange(v ?? '')}
              onBlur={field.onBlur}
              error={errors.order_id?.message}
              withAsterisk
              allowDeselect={false}
            />
          )}
        />
        {askChannel ? (
          <Controller
            control={control}
            name="channel"
            render={({ field }) => (
              <Select
                label="Channel"
                description="How the customer reached you"
                data={CHANNELS.map((c) => ({ value: c, label: label(c) }))}
                value={field.value ?? null}
                onChange={(v) => field.onChange(v ?? undefined)}
                allowDeselect={false}
                withAsterisk
                error={errors.channel?.message}
              />
            )}
          />
        ) : null}
        <TextInput
          label="Subject"
          withAsterisk
          maxLength={200}
          {...register('subject')}
          error={errors.subject?.message}
        />
        <Controller
          control={control}
          name="category"
          render={({ field }) => (
            <Select
              label="Category"
              placeholder="What kind of problem?"
              data={CATEGORIES.map((c) => ({ value: c, label: label(c) }))}
              value={field.value ?? null}
              onChange={(v) => field.onChange(v ?? undefined)}
              onBlur={field.onBlur}
              error={errors.category?.message}
              withAsterisk
            />
          )}
        />
        <Controller
          control={control}
          name="priority"
          render={({ field }) => (
            <Select
              label="Priority"
              data={PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
              value={field.value}
              onChange={(v) => field.onChange(v ?? 'normal')}
              allowDeselect={false}
              error={errors.priority?.message}
            />
          )}
        />
        <Textarea
          label="Description"
          withAsterisk
          autosize
          minRows={4}
          maxRows={12}
          {...register('description')}
          error={errors.description?.message}
        />
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={isSubmitting}>
            Open case
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
