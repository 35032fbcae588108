import { zodResolver } from '@hookform/resolvers/zod';
import { Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { formatMoney, parseMoney } from '@/services/format';
import type { AmountRefund, ReasonCode } from '@/services/types';
import { applyServerErrors, VISIBLE_TO_CUSTOMER } from '../common/forms';
import { ReasonSelect, startingReason } from './ReasonSelect';
import { FormSubmit } from '@/components/common/FormSubmit';

interface Props {
  currency: string;
  /** What remains of the order's compensation budget: the most the refund may be. */
  remaining: number;
  /** The reasons offered now (GET /reason-codes). */
  reasons: readonly ReasonCode[];
  onSubmit: (refund: AmountRefund) => Promise<unknown>;
}

/** Staff give an amount not tied to units: a goodwill gesture for a late parcel, shipping
 * only, a price adjustment. It is approved and paid like any refund. */
export function AmountRefundForm({ currency, remaining, reasons, onSubmit }: Props) {
  const schema = z.object({
    amount: z
      .string()
      .refine((s) => (parseMoney(s, currency) ?? 0) > 0, 'Enter an amount like 5.00')
      .refine(
        (s) => (parseMoney(s, currency) ?? 0) <= remaining,
        `At most ${formatMoney(remaining, currency)}: what remains to give on this order`,
      ),
    reason_code: z.string().min(1, 'Pick a reason'),
    note: z.string().trim().max(2000, 'Keep it to 2,000 characters or fewer'),
  });
  type Values = z.infer<typeof schema>;
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    // A gesture is most often goodwill; the agent picks "late delivery" and the like.
    defaultValues: { amount: '', reason_code: startingReason(reasons, 'goodwill'), note: '' },
  });

  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await onSubmit({
        kind: 'amount',
        amount: parseMoney(v.amount, currency) ?? 0,
        reason_code: v.reason_code,
        note: v.note.trim() || null,
      });
    } catch (err) {
      setFormError(applyServerErrors(err, setError, ['amount', 'reason_code', 'note']));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Give an amount">
      <Stack gap="sm">
        <TextInput
          label={`Amount (${currency})`}
          description={`up to ${formatMoney(remaining, currency)}, what remains to give on this order`}
          inputMode="decimal"
          withAsterisk
          {...register('amount')}
          error={errors.amount?.message}
        />
        <ReasonSelect
          label="Cause"
          reasons={reasons}
          {...register('reason_code')}
          error={errors.reason_code?.message}
        />
        <Textarea
          label="Note (optional)"
          description={VISIBLE_TO_CUSTOMER}
          autosize
          minRows={2}
          {...register('note')}
          error={errors.note?.message}
        />
        <FormSubmit error={formError} loading={isSubmitting} disabled={remaining <= 0}>
          Give this amount
        </FormSubmit>
      </Stack>
    </form>
  );
}
