import { Alert, Anchor, Loader } from '@mantine/core';
import { Link } from 'react-router';
import { Money } from '@/components/ui/Money';
import { label } from '@/services/format';
import { failureWords, pendingWords } from '@/services/refundWords';
import type { Refund } from '@/services/types';

/** Where the money stands, in words, once a decision has been taken. Staff read what to do
 * next; the customer reads what happens to their money. */
export function RefundOutcome({
  refund,
  staff = false,
  rejectedBecause,
}: {
  refund: Refund;
  staff?: boolean;
  /** The reason given with the rejection (its history event's note), where it may be read. */
  rejectedBecause?: string;
}) {
  if (refund.status === 'failed' && refund.came_back) {
    const amount = <Money amount={refund.total_amount} currency={refund.currency} />;
    return staff ? (
      <Alert color="red" title="The money came back">
        {amount} was refunded, then the customer’s bank sent it back:{' '}
        {failureWords(refund.failure_reason)}
        {refund.failure_reason ? ` (${refund.failure_reason})` : ''}. The customer has not been
        paid. Offer the same amount another way: a bank transfer or store credit.
      </Alert>
    ) : (
      <Alert color="red" title="Your bank sent the refund back">
        We refunded {amount}, but your bank returned it to us because{' '}
        {failureWords(refund.failure_reason)}. You have not lost anything: we will pay you another
        way, by bank transfer or as store credit, and our team will be in touch.
      </Alert>
    );
  }
  switch (refund.status) {
    case 'processing':
      return (
        <Alert color="violet" icon={<Loader size="xs" />} title="Sending the money">
          {refund.pending_reason
            ? `The payment provider is holding the refund for now: ${pendingWords(refund.pending_reason)}. `
            : 'The payment provider has not confirmed yet. '}
          This page updates by itself.
        </Alert>
      );
    case 'refunded':
      return (
        <Alert color="green" title="Refunded">
          <Money amount={refund.total_amount} currency={refund.currency} /> went back to the
          original payment
          {/* The gateway's id is for staff; what the customer's bank shows is the bank's. */}
          {staff && refund.gateway_refund_id ? ` (reference ${refund.gateway_refund_id})` : ''}.
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
          {refund.settlement.reason_code && refund.settlement.reason_code !== refund.reason_code
            ? ` · cause: ${refund.settlement.reason_label}`
            : ''}
        </Alert>
      ) : null;
    case 'rejected':
      return (
        <Alert color="orange" title="Rejected">
          {staff ? 'This refund was declined' : 'We declined this refund'}
          {rejectedBecause ? `: ${rejectedBecause}` : '.'}
          {staff ? null : (
            <>
              {' '}
              Questions about it?{' '}
              <Anchor component={Link} to={`/cases/${refund.support_case_id}`}>
                Reply to us on your case
              </Anchor>
              .
            </>
          )}
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
