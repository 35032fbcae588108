import { zodResolver } from '@hookform/resolvers/zod';
import { Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { applyServerErrors, VISIBLE_TO_CUSTOMER } from '../common/forms';
import { FormSubmit } from '@/components/common/FormSubmit';

const schema = z.object({
  reason: z
    .string()
    .trim()
    .min(1, 'Tell the customer why')
    .max(2000, 'Keep it to 2,000 characters or fewer'),
});

export function RejectForm({ onSubmit }: { onSubmit: (reason: string) => Promise<unknown> }) {
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { reason: '' },
  });
  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await onSubmit(v.reason);
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['reason']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Reject the refund">
      <Stack gap="sm">
        <Textarea
          label="Reason for rejecting"
          description={VISIBLE_TO_CUSTOMER}
          withAsterisk
          autosize
          minRows={2}
          {...register('reason')}
          error={errors.reason?.message}
        />
        <FormSubmit error={formError} color="red" variant="light" loading={isSubmitting}>
          Reject refund
        </FormSubmit>
      </Stack>
    </form>
  );
}
