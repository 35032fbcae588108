import { describe, expect, it } from 'vitest';
import type { Refund, RefundStatus } from './types';
import { refundStepToast } from './refundWords';

const returned = (status: RefundStatus) => ({ status }) as Refund;
const approveAndRefund = { kind: 'approve_and_execute' } as const;

describe('the toast after a refund step says what the server answered', () => {
  it('says refunded only when the returned refund is refunded', () => {
    expect(refundStepToast(approveAndRefund, returned('refunded'))).toEqual({
      color: 'green',
      message: 'Approved and refunded.',
    });
    expect(refundStepToast({ kind: 'execute' }, returned('refunded')).message).toBe('Refunded.');
  });

  it('says the refund is being confirmed when the gateway has not confirmed it (processing)', () => {
    const toast = refundStepToast(approveAndRefund, returned('processing'));
    expect(toast.message).toBe(
      'Approved. The refund is being confirmed: the payment provider has not confirmed it yet.',
    );
    expect(toast.message).not.toMatch(/refunded/i);
    expect(toast.color).toBe('blue');
  });

  it('says approved, not refunded, when the money has not been sent', () => {
    expect(refundStepToast(approveAndRefund, returned('approved')).message).toBe(
      'Approved. The refund has not been sent yet.',
    );
  });

  it('says a failed refund failed, in red', () => {
    expect(refundStepToast(approveAndRefund, returned('failed'))).toEqual({
      color: 'red',
      message: 'Approved, but the refund failed.',
    });
    expect(refundStepToast({ kind: 'execute' }, returned('failed')).message).toBe(
      'The refund failed.',
    );
  });

  it('names the other outcomes by the returned status', () => {
    expect(refundStepToast({ kind: 'reject', reason: 'x' }, returned('rejected')).message).toBe(
      'Refund rejected.',
    );
    expect(refundStepToast({ kind: 'cancel' }, returned('cancelled')).message).toBe(
      'Refund request cancelled.',
    );
  });
});
