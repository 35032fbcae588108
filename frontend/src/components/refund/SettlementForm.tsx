import { zodResolver } from '@hookform/resolvers/zod';
import { Checkbox, NativeSelect, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { formatMoney, label, parseMoney, toMajorString } from '@/services/format';
import { SETTLEMENT_TYPES, type ReasonCode, type Settlement } from '@/services/types';
import { applyServerErrors, VISIBLE_TO_CUSTOMER } from '../common/forms';
import { ReasonSelect } from './ReasonSelect';
import { FormSubmit } from '@/components/common/FormSubmit';

interface Props {
  currency: string;
  total: number;
  /** The refund's `restock`: the server's default for the case's category. */
  restock?: boolean;
  onSubmit: (s: Settlement) => Promise<unknown>;
  /** A settlement to offer, filled in (the whole amount, this type and note): one click. */
  offer?: { type: Settlement['type']; note: string };
  /** The most this person may record (the server's `settle_limit`: an agent's limit per
   * order); above it a supervisor records the settlement. */
  limit?: number;
  /** Asks before recording (a large amount), then calls ``go``; without it, records at once. */
  confirmFirst?: (settlement: Settlement, go: () => void) => void;
  /** The reasons offered now; the settlement has the refund's (``refundReason``, its label)
   * unless another is chosen. */
  reasons?: readonly ReasonCode[];
  refundReason?: string | null;
}

export function SettlementForm({
  currency,
  total,
  restock = false,
  onSubmit,
  offer,
  confirmFirst,
  limit = total,
  reasons = [],
  refundReason,
}: Props) {
  const limited = limit < total;
  const schema = z.object({
    type: z.enum(SETTLEMENT_TYPES),
    amount: z
      .string()
      .refine((s) => parseMoney(s, currency) !== null, 'Enter an amount like 12.50')
      .refine(
        (s) => (parseMoney(s, currency) ?? 0) <= total,
        `At most ${formatMoney(total, currency)}`,
      )
      .refine(
        (s) => (parseMoney(s, currency) ?? 0) <= limit,
        `Above ${formatMoney(limit, currency)} a supervisor records the settlement`,
      ),
    note: z
      .string()
      .trim()
      .min(1, 'Say what was agreed')
      .max(2000, 'Keep it to 2,000 characters or fewer'),
    reference: z.string().trim().max(200, 'Keep it to 200 characters or fewer'),
    restock: z.boolean(),
    reason_code: z.string(),
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
    defaultValues: {
      type: offer?.type ?? 'store_credit',
      amount: toMajorString(offer ? total : Math.min(total, limit), currency),
      note: offer?.note ?? '',
      reference: '',
      restock,
      reason_code: '',
    },
  });

  const record = async (settlement: Settlement) => {
    try {
      await onSubmit(settlement);
    } catch (err) {
      setFormError(
        applyServerErrors(err, setError, ['type', 'amount', 'note', 'reference', 'reason_code']),
      );
    }
  };
  const submit = handleSubmit(async (v) => {
    setFormError(null);
    const settlement: Settlement = {
      type: v.type,
      amount: parseMoney(v.amount, currency) ?? 0,
      note: v.note,
      reference: v.reference || null,
      restock: v.restock,
      ...(v.reason_code ? { reason_code: v.reason_code } : {}),
    };
    if (confirmFirst) confirmFirst(settlement, () => void record(settlement));
    else await record(settlement);
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Record a settlement">
      <Stack gap="sm">
        <NativeSelect
          label="Settlement type"
          data={SETTLEMENT_TYPES.map((t) => ({ value: t, label: label(t) }))}
          {...register('type')}
          error={errors.type?.message}
        />
        <ReasonSelect
          label="Cause"
          reasons={reasons}
          emptyOption={refundReason ? `Same as the refund (${refundReason})` : 'Same as the refund'}
          {...register('reason_code')}
          error={errors.reason_code?.message}
        />
        <TextInput
          label={`Amount (${currency})`}
          description={
            limited
              ? `up to ${formatMoney(limit, currency)} by you (your limit for this order); more, a supervisor records`
              : `between ${formatMoney(0, currency)} and ${formatMoney(total, currency)}`
          }
          inputMode="decimal"
          {...register('amount')}
          error={errors.amount?.message}
        />
        <Textarea
          label="Note"
          description={VISIBLE_TO_CUSTOMER}
          withAsterisk
          autosize
          minRows={2}
          {...register('note')}
          error={errors.note?.message}
        />
        <TextInput
          label="Reference (optional)"
          description={VISIBLE_TO_CUSTOMER}
          {...register('reference')}
          error={errors.reference?.message}
        />
        <Checkbox
          label="Restock the items"
          description="The shop's order system puts the units back in stock"
          {...register('restock')}
        />
        <FormSubmit error={formError} loading={isSubmitting}>
          Record settlement
        </FormSubmit>
      </Stack>
    </form>
  );
}
