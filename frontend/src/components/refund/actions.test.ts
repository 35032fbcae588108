import { describe, expect, it } from 'vitest';
import type { Refund } from '@/services/types';
import { actionsFor, allowed, whyNot } from './actions';

function refund(overrides: Partial<Refund>): Refund {
  return {
    id: 'rf_1',
    support_case_id: 'case_1',
    order_id: 'ORD-1002',
    customer_id: 'CUST-1001',
    status: 'requested',
    currency: 'EUR',
    items: [],
    include_shipping: false,
    shipping_amount: 0,
    total_amount: 5949,
    reason: 'broken',
    refund_window: {
      delivered_at: '2026-11-06T10:00:00Z',
      closes_at: '2026-11-20T10:00:00Z',
      open: false,
    },
    approval_window: null,
    settlement: null,
    gateway_refund_id: null,
    failure_reason: null,
    attempt: 0,
    allowed_actions: ['approve', 'reject', 'settle'],
    version: 1,
    created_at: '2026-11-26T10:00:00Z',
    updated_at: '2026-11-26T10:00:00Z',
    ...overrides,
  };
}

describe('refund actions', () => {
  it('never offers approval outside the window, and says what to do instead', () => {
    const r = refund({});
    expect(allowed(r, 'approve')).toBe(false);
    expect(allowed(r, 'settle')).toBe(true);
    expect(whyNot(r, 'approve', 'agent')).toMatch(
      /outside the refund window.*Reject it or record a settlement/,
    );
  });

  it('explains why a requested refund cannot be executed yet', () => {
    const r = refund({ refund_window: { delivered_at: null, closes_at: null, open: true } });
    expect(allowed(r, 'approve')).toBe(true);
    expect(allowed(r, 'execute')).toBe(false);
    expect(whyNot(r, 'execute', 'agent')).toBe('It must be approved before the money is sent.');
  });

  it('offers customers only cancelling, and staff the decisions', () => {
    expect(actionsFor(false)).toEqual(['cancel']);
    expect(actionsFor(true)).toEqual(['approve', 'execute', 'reject', 'settle']);
    expect(
      whyNot(refund({ status: 'refunded', allowed_actions: [] }), 'cancel', 'customer'),
    ).toMatch(/this one is refunded/);
  });
});
