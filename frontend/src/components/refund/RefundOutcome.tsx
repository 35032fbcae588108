import { Alert, Loader } from '@mantine/core';
import { Money } from '@/components/ui/Money';
import { label } from '@/services/format';
import type { Refund } from '@/services/types';

/** Where the money stands, in words, once a decision has been taken. */
export function RefundOutcome({ refund }: { refund: Refund }) {
  switch (refund.status) {
    case 'processing':
      return (
        <Alert color="violet" icon={<Loader size="xs" />} title="Sending the money">
          The payment provider has not confirmed yet. This page updates by itself.
        </Alert>
      );
    case 'refunded':
      return (
        <Alert color="green" title="Refunded">
          <Money amount={refund.total_amount} currency={refund.currency} /> went back to the
          original payment
          {refund.gateway_refund_id ? ` (reference ${refund.gateway_refund_id})` : ''}.
          {refund.bank_reference ? ` Bank reference: ${refund.bank_reference}.` : ''}
        </Alert>
      );
    case 'failed':
      return (
        <Alert color="red" title="The refund failed">
          {refund.failure_reason ?? 'The payment provider did not accept it.'}
        </Alert>
      );
    case 'settled':
      return refund.settlement ? (
        <Alert color="teal" title={`Settled: ${label(refund.settlement.type)}`}>
          <Money amount={refund.settlement.amount} currency={refund.currency} /> —{' '}
          {refund.settlement.note}
          {refund.settlement.reference ? ` (ref. ${refund.settlement.reference})` : ''}
        </Alert>
      ) : null;
    case 'rejected':
      return (
        <Alert color="orange" title="Rejected">
          This refund was declined. See the history for the reason.
        </Alert>
      );
    case 'cancelled':
      return (
        <Alert color="gray" title="Cancelled">
          This request was withdrawn.
        </Alert>
      );
    default:
      return null;
  }
}
