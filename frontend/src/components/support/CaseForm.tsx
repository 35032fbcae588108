import { zodResolver } from '@hookform/resolvers/zod';
import { NativeSelect, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { Controller, useForm } from 'react-hook-form';
import { z } from 'zod';
import { label } from '@/services/format';
import { CATEGORIES, CHANNELS, PRIORITIES, type CaseCreate } from '@/services/types';
import { applyServerErrors } from '../common/forms';
import { useState } from 'react';
import { FormSubmit } from '@/components/common/FormSubmit';

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
  // Asked of staff only (see Props); a customer's case starts at the default.
  priority: z.enum(PRIORITIES).optional(),
  // Staff say how the customer reached them; a customer's own case leaves it out (web).
  channel: z.enum(CHANNELS).optional(),
});

type FormInput = z.input<typeof caseSchema>;
type FormOutput = z.output<typeof caseSchema>;

/** The customer's form offers no priority: a customer's case starts at the default
 * (normal) and the team triages it; every customer would pick "urgent" (docs/web-app.md).
 * Staff opening a case for a customer (``askChannel``) say by which channel the customer
 * reached them and set the priority themselves. */
interface Props {
  orderOptions: { value: string; label: string }[];
  defaultOrderId?: string;
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
  } = useForm<FormInput, unknown, FormOutput>({
    resolver: zodResolver(caseSchema),
    defaultValues: {
      order_id: defaultOrderId ?? '',
      subject: '',
      description: '',
      category: undefined,
      priority: askChannel ? 'normal' : undefined,
      channel: askChannel ? 'phone' : undefined,
    },
  });

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      // The API's default priority, spelled out because the generated type asks for it.
      await onSubmit({ ...values, priority: values.priority ?? 'normal' });
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
        {/* A native select: a phone opens its own picker. Mantine's Select, when it is the
            form's last field near the foot of a phone's page, opened a dropdown that the
            browser then scrolled the field away from, and hid it as detached (the phone
            journey, e2e/i-phone, opens a case this way). */}
        <Controller
          control={control}
          name="category"
          render={({ field }) => (
            <NativeSelect
              label="Category"
              data={[
                { value: '', label: 'What kind of problem?', disabled: true },
                ...CATEGORIES.map((c) => ({ value: c, label: label(c) })),
              ]}
              value={field.value ?? ''}
              onChange={(e) => field.onChange(e.currentTarget.value || undefined)}
              onBlur={field.onBlur}
              error={errors.category?.message}
              withAsterisk
            />
          )}
        />
        {askChannel ? (
          <Controller
            control={control}
            name="priority"
            render={({ field }) => (
              <Select
                label="Priority"
                data={PRIORITIES.map((p) => ({ value: p, label: label(p) }))}
                value={field.value ?? 'normal'}
                onChange={(v) => field.onChange(v ?? 'normal')}
                allowDeselect={false}
                error={errors.priority?.message}
              />
            )}
          />
        ) : null}
        <Textarea
          label="Description"
          withAsterisk
          autosize
          minRows={4}
          maxRows={12}
          {...register('description')}
          error={errors.description?.message}
        />
        <FormSubmit error={formError} loading={isSubmitting}>
          Open case
        </FormSubmit>
      </Stack>
    </form>
  );
}
