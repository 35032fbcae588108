import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Anchor,
  Box,
  Button,
  Checkbox,
  Group,
  Loader,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { ApiError } from '@/services/http';
import { formatMoney } from '@/services/format';
import type { Order, Quote, ReasonCode, RefundRequest } from '@/services/types';
import { Breakdown } from './Breakdown';
import { CompensationSummary } from './CompensationSummary';
import { ReasonSelect, startingReason } from './ReasonSelect';
import { WindowText } from './WindowText';
import { FormSubmit } from '@/components/common/FormSubmit';

interface Props {
  order: Order;
  quote: Quote | undefined;
  quoteLoading: boolean;
  quoteError: unknown;
  /** What the form would send now, or null while nothing is picked; drives the live quote. */
  onDraftChange: (draft: RefundRequest | null) => void;
  onSubmit: (request: RefundRequest) => Promise<unknown>;
  onRetryQuote?: () => void;
  /** The customer's name when staff ask on her behalf: the form speaks of her, not "you". */
  onBehalfOf?: string;
  /** The reasons offered now (GET /reason-codes), and the one the case suggests. */
  reasons: readonly ReasonCode[];
  suggestedReason?: string;
}

function schemaFor(order: Order, onBehalfOf?: string) {
  const quantities = z.object(
    Object.fromEntries(
      order.lines.map((l) => [
        l.line_id,
        z
          .number({ error: 'Enter a whole number' })
          .int('Enter a whole number')
          .min(0, 'Cannot be negative')
          .max(l.refundable_quantity, `At most ${l.refundable_quantity} can be refunded`),
      ]),
    ),
  );
  return z
    .object({
      quantities,
      reason: z
        .string()
        .trim()
        .min(
          1,
          onBehalfOf ? `Say why ${onBehalfOf} wants a refund` : 'Tell us why you want a refund',
        )
        .max(2000, 'Keep it to 2,000 characters or fewer'),
      include_shipping: z.boolean(),
      reason_code: z.string().min(1, 'Choose the closest cause'),
      line_reasons: z.record(z.string(), z.string()),
    })
    .refine((v) => Object.values(v.quantities).some((q) => (q as number) > 0), {
      message: 'Pick at least one item to refund',
      path: ['quantities'],
    });
}

type Values = {
  quantities: Record<string, number>;
  reason: string;
  include_shipping: boolean;
  /** The refund's cause (a reason code), and a line's own where it differs ('' = the same). */
  reason_code?: string;
  line_reasons?: Record<string, string>;
};

export function toRequest(v: Values): RefundRequest | null {
  const items = Object.entries(v.quantities)
    .filter(([, q]) => Number.isInteger(q) && q > 0)
    .map(([line_id, quantity]) => {
      const own = v.line_reasons?.[line_id];
      return own ? { line_id, quantity, reason_code: own } : { line_id, quantity };
    });
  if (!items.length) return null;
  return {
    items,
    reason: v.reason.trim() || 'quote',
    include_shipping: v.include_shipping,
    ...(v.reason_code ? { reason_code: v.reason_code } : {}),
  };
}

export function RefundRequestForm({
  order,
  quote,
  quoteLoading,
  quoteError,
  onDraftChange,
  onSubmit,
  onRetryQuote,
  onBehalfOf,
  reasons,
  suggestedReason,
}: Props) {
  const schema = useMemo(() => schemaFor(order, onBehalfOf), [order, onBehalfOf]);
  const [formError, setFormError] = useState<string | null>(null);
  // Lines whose own cause is being chosen: most refunds have one cause for every line.
  const [ownCause, setOwnCause] = useState<ReadonlySet<string>>(new Set());
  const {
    control,
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema) as never,
    // Quantities are checked as they are typed, next to the field, not only on sending.
    mode: 'onChange',
    defaultValues: {
      quantities: Object.fromEntries(order.lines.map((l) => [l.line_id, 0])),
      reason: '',
      include_shipping: false,
      reason_code: startingReason(reasons, suggestedReason),
      line_reasons: Object.fromEntries(order.lines.map((l) => [l.line_id, ''])),
    },
  });
  const quantities = useWatch({ control, name: 'quantities' });
  const includeShipping = useWatch({ control, name: 'include_shipping' });

  // Only quantities inside the bounds are quoted; the rest shows its own message.
  const draft = useMemo(() => {
    const valid: Record<string, number> = {};
    for (const l of order.lines) {
      const q = quantities?.[l.line_id];
      if (typeof q === 'number' && Number.isInteger(q) && q > 0 && q <= l.refundable_quantity)
        valid[l.line_id] = q;
    }
    return toRequest({ quantities: valid, reason: 'quote', include_shipping: includeShipping });
  }, [quantities, includeShipping, order.lines]);
  const draftKey = JSON.stringify(draft);
  useEffect(() => {
    onDraftChange(draft);
    // draftKey stands for draft's content; the object itself is new on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draftKey]);

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    const request = toRequest(values);
    if (!request) return;
    try {
      await onSubmit(request);
    } catch (err) {
      if (err instanceof ApiError) {
        for (const [loc, msg] of Object.entries(err.fieldErrors)) {
          const m = /^items\.(\d+)\.quantity$/.exec(loc);
          const line = m ? request.items[Number(m[1])]?.line_id : undefined;
          if (line) setError(`quantities.${line}`, { type: 'server', message: msg });
          const own = /^items\.(\d+)\.reason_code$/.exec(loc);
          const ownLine = own ? request.items[Number(own[1])]?.line_id : undefined;
          if (ownLine) setError(`line_reasons.${ownLine}`, { type: 'server', message: msg });
          if (loc === 'reason') setError('reason', { type: 'server', message: msg });
          if (loc === 'reason_code') setError('reason_code', { type: 'server', message: msg });
        }
        setFormError(err.plainMessage);
      } else setFormError('Something went wrong.');
    }
  });

  // The "pick at least one" rule sits on the quantities object itself, not on one line.
  const pickError =
    errors.quantities?.root?.message ??
    (errors.quantities as { message?: string } | undefined)?.message;
  const refundableAny = order.lines.some((l) => l.refundable_quantity > 0);
  const money = (n: number) => formatMoney(n, order.currency);
  const shippingGross = order.shipping.amount + order.shipping.tax;

  return (
    <form onSubmit={submit} noValidate aria-label="Request a refund">
      <Stack gap="sm">
        {!refundableAny ? (
          <Alert color="gray">
            Every item of this order is already refunded or waiting for a decision.
          </Alert>
        ) : null}
        <Table verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Item</Table.Th>
              <Table.Th>Units to refund</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {order.lines.map((l) => (
              <Table.Tr key={l.line_id}>
                <Table.Td>
                  <Text size="sm">{l.name}</Text>
                  <Text size="xs" c="dimmed">
                    {l.sku} · {l.quantity} bought · {money(l.gross)}
                  </Text>
                  {ownCause.has(l.line_id) ? (
                    <ReasonSelect
                      mt={4}
                      size="xs"
                      label={`Cause for ${l.name}`}
                      reasons={reasons}
                      emptyOption="Same as the refund"
                      {...register(`line_reasons.${l.line_id}`)}
                      error={errors.line_reasons?.[l.line_id]?.message}
                    />
                  ) : l.refundable_quantity > 0 ? (
                    <Anchor
                      component="button"
                      type="button"
                      size="xs"
                      onClick={() => setOwnCause(new Set(ownCause).add(l.line_id))}
                    >
                      Another cause for this item
                    </Anchor>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Controller
                    control={control}
                    name={`quantities.${l.line_id}`}
                    render={({ field, fieldState }) => (
                      <NumberInput
                        aria-label={`Units of ${l.name} to refund`}
                        description={`up to ${l.refundable_quantity}`}
                        min={0}
                        max={l.refundable_quantity}
                        allowDecimal={false}
                        allowNegative={false}
                        clampBehavior="none"
                        disabled={l.refundable_quantity === 0}
                        value={field.value}
                        onChange={(v) =>
                          field.onChange(typeof v === 'number' ? v : v === '' ? 0 : Number(v))
                        }
                        onBlur={field.onBlur}
                        error={fieldState.error?.message}
                        w={{ base: 110, sm: 140 }}
                      />
                    )}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {pickError ? (
          <Text c="red" size="sm" role="alert">
            {pickError}
          </Text>
        ) : null}
        {shippingGross > 0 ? (
          <Checkbox
            label={`Also refund shipping (${money(shippingGross)})`}
            disabled={!order.shipping.refundable}
            description={order.shipping.refundable ? undefined : 'Shipping was already refunded'}
            {...register('include_shipping')}
          />
        ) : (
          <Text size="sm" c="dimmed">
            Shipping was free, so there is no shipping to refund.
          </Text>
        )}
        <section aria-label="Quote" aria-live="polite">
          <Group gap="xs" mb={4}>
            <Text fw={600} size="sm">
              {quote && !quote.refund_window.open
                ? 'What these items come to'
                : onBehalfOf
                  ? `What ${onBehalfOf} would get back`
                  : 'What you would get back'}
            </Text>
            {quoteLoading ? <Loader size="xs" aria-label="Updating quote" /> : null}
          </Group>
          {!draft ? (
            <Text size="sm" c="dimmed">
              {onBehalfOf
                ? 'Pick the units to refund to see the amount.'
                : 'Pick the units you want refunded to see the amount.'}
            </Text>
          ) : quoteError ? (
            <Group gap="xs">
              <Text size="sm" c="red">
                {quoteError instanceof ApiError
                  ? quoteError.plainMessage
                  : 'The quote could not be loaded.'}
              </Text>
              {onRetryQuote ? (
                <Button size="compact-xs" variant="light" onClick={onRetryQuote}>
                  Try again
                </Button>
              ) : null}
            </Group>
          ) : quote ? (
            <>
              <Box mb={4}>
                <WindowText window={quote.refund_window} />
              </Box>
              {!quote.refund_window.open ? (
                <Text size="sm" mb={4}>
                  {onBehalfOf
                    ? 'This order is outside the refund window, so a refund to the card is not ' +
                      'possible now. The request can still be sent and settled another way, such ' +
                      'as store credit or a bank transfer.'
                    : 'This order is outside the refund window, so a refund to your card is not ' +
                      'possible now. Send the request anyway: our team will look at it and ' +
                      'decide on another form of compensation, such as a voucher or a bank ' +
                      'transfer.'}
                </Text>
              ) : null}
              <Breakdown
                currency={quote.currency}
                items={quote.items}
                includeShipping={quote.include_shipping}
                shippingAmount={quote.shipping_amount}
                totalAmount={quote.total_amount}
                caption="Quote"
              />
              {quote.total_amount > quote.compensation.remaining ? (
                <Text size="sm" c="red" mt={4}>
                  That is more than remains to give on this order (
                  {formatMoney(quote.compensation.remaining, quote.currency)}): pick fewer units.
                </Text>
              ) : null}
            </>
          ) : null}
        </section>
        {onBehalfOf || order.compensation.out + order.compensation.held > 0 ? (
          <CompensationSummary compensation={quote?.compensation ?? order.compensation} />
        ) : null}
        <ReasonSelect
          label="Cause"
          description="The closest of the shop's list; say more below"
          withAsterisk
          reasons={reasons}
          {...register('reason_code')}
          error={errors.reason_code?.message}
        />
        <Textarea
          label="Reason"
          withAsterisk
          autosize
          minRows={2}
          {...register('reason')}
          error={errors.reason?.message}
        />
        <FormSubmit error={formError} loading={isSubmitting} disabled={!refundableAny}>
          Send refund request
        </FormSubmit>
      </Stack>
    </form>
  );
}
