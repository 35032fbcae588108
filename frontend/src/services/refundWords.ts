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
