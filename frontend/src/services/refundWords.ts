import type { Refund, RefundStep } from './types';

export interface StepToast {
  color: 'green' | 'blue' | 'red';
  message: string;
}

/** What to tell the person after a refund step, read from the refund the server returned,
 * never from the button they pressed: a gateway timeout leaves an approved refund in
 * `processing`, and "refunded" would then be untrue. */
export function refundStepToast(step: RefundStep, res: Refund): StepToast {
  const approving = step.kind === 'approve_and_execute' || step.kind === 'approve';
  switch (res.status) {
    case 'refunded':
      return { color: 'green', message: approving ? 'Approved and refunded.' : 'Refunded.' };
    case 'processing':
      return {
        color: 'blue',
        message: `${approving ? 'Approved. ' : ''}The refund is being confirmed: the payment provider has not confirmed it yet.`,
      };
    case 'approved':
      return { color: 'green', message: 'Approved. The refund has not been sent yet.' };
    case 'failed':
      return {
        color: 'red',
        message: `${approving ? 'Approved, but the' : 'The'} refund failed.`,
      };
    case 'rejected':
      return { color: 'green', message: 'Refund rejected.' };
    case 'cancelled':
      return { color: 'green', message: 'Refund request cancelled.' };
    case 'settled':
      return { color: 'green', message: 'Settlement recorded.' };
    case 'requested':
      return { color: 'blue', message: 'Nothing changed: the refund is still requested.' };
  }
}

// The card network's reasons (Stripe's failure_reason), in words a customer reads.
const FAILURE_WORDS: Record<string, string> = {
  expired_or_canceled_card: 'the card has expired or was cancelled',
  lost_or_stolen_card: 'the card was reported lost or stolen',
  insufficient_funds: 'the account could not take the money',
  declined: 'the bank declined it',
  merchant_request: 'it was withdrawn',
  charge_for_pending_refund_disputed: 'the payment is disputed',
  unknown: 'the bank did not say why',
};

/** Why a refund failed or came back, in plain words (the gateway's code when unknown). */
export function failureWords(reason: string | null | undefined): string {
  if (!reason) return 'the bank did not say why';
  return FAILURE_WORDS[reason] ?? reason.replace(/_/g, ' ');
}

// Why the payment provider still holds a refund (Stripe's pending_reason).
const PENDING_WORDS: Record<string, string> = {
  processing: 'the card network is still processing it',
  insufficient_funds: 'the shop’s payment balance is being topped up',
  charge_pending: 'the original payment has not settled yet',
};

export function pendingWords(reason: string): string {
  return PENDING_WORDS[reason] ?? reason.replace(/_/g, ' ');
}
