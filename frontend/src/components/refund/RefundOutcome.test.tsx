import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import type { Refund } from '@/services/types';
import { RefundOutcome } from './RefundOutcome';

const REFUNDED: Refund = {
  id: 'rf_1',
  support_case_id: 'case_1',
  order_id: 'ORD-1002',
  customer_id: 'CUST-1001',
  status: 'refunded',
  kind: 'units',
  reason_code: null,
  currency: 'EUR',
  items: [],
  include_shipping: false,
  shipping_amount: 0,
  total_amount: 2140,
  reason: 'broken',
  refund_window: { delivered_at: null, closes_at: null, open: true, basis: 'not_shipped' },
  approval_window: null,
  decision: null,
  settlement: null,
  gateway_refund_id: 're_1',
  bank_reference: '74987505246123456789012',
  failure_reason: null,
  came_back: false,
  attempt: 1,
  restock: false,
  allowed_actions: [],
  blocked_actions: [],
  final: true,
  version: 3,
  created_at: '2026-11-26T10:00:00Z',
  updated_at: '2026-11-26T10:00:00Z',
};

describe('RefundOutcome', () => {
  it('gives the bank’s reference of a refunded refund when the gateway gave one', () => {
    renderWithProviders(<RefundOutcome refund={REFUNDED} />);
    expect(screen.getByText(/Bank reference: 74987505246123456789012\./)).toBeInTheDocument();
  });

  it('says nothing of a bank reference when there is none yet', () => {
    renderWithProviders(<RefundOutcome refund={{ ...REFUNDED, bank_reference: null }} />);
    expect(screen.getByText(/went back to the/)).toBeInTheDocument();
    expect(screen.queryByText(/Bank reference/)).toBeNull();
  });

  const CAME_BACK: Refund = {
    ...REFUNDED,
    status: 'failed',
    came_back: true,
    failure_reason: 'expired_or_canceled_card',
    final: false,
  };

  it('tells staff the money came back, why, and what to offer', () => {
    renderWithProviders(<RefundOutcome refund={CAME_BACK} staff />);
    expect(screen.getByText('The money came back')).toBeInTheDocument();
    expect(screen.getByText(/the card has expired or was cancelled/)).toBeInTheDocument();
    expect(screen.getByText(/a bank transfer or store credit/)).toBeInTheDocument();
  });

  it('tells the customer in plain words, without the gateway’s code', () => {
    renderWithProviders(<RefundOutcome refund={CAME_BACK} />);
    expect(screen.getByText('Your bank sent the refund back')).toBeInTheDocument();
    expect(screen.getByText(/You have not lost anything/)).toBeInTheDocument();
    expect(screen.queryByText(/expired_or_canceled_card/)).toBeNull();
  });

  it('says why the payment provider holds a processing refund', () => {
    renderWithProviders(
      <RefundOutcome
        refund={{ ...REFUNDED, status: 'processing', pending_reason: 'charge_pending' }}
      />,
    );
    expect(screen.getByText(/the original payment has not settled yet/)).toBeInTheDocument();
  });
});

describe('RefundOutcome, in a customer’s words', () => {
  it('names no gateway id to the customer; staff see it', () => {
    const { unmount } = renderWithProviders(<RefundOutcome refund={REFUNDED} />);
    expect(screen.queryByText(/re_1/)).not.toBeInTheDocument();
    unmount();
    renderWithProviders(<RefundOutcome refund={REFUNDED} staff />);
    expect(screen.getByText(/reference re_1/)).toBeInTheDocument();
  });

  it('says why a refund was declined where its status is, with a way to answer', () => {
    renderWithProviders(
      <RefundOutcome
        refund={{ ...REFUNDED, status: 'rejected' }}
        rejectedBecause="the item was not sent back"
      />,
    );
    expect(
      screen.getByText(/We declined this refund: the item was not sent back/),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Reply to us on your case' })).toHaveAttribute(
      'href',
      '/cases/case_1',
    );
  });
});
