import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '@/test/render';
import type { Refund } from '@/services/types';
import { RefundActionPanel } from './RefundActionPanel';

function refund(overrides: Partial<Refund>): Refund {
  return {
    id: 'rf_1',
    support_case_id: 'case_1',
    order_id: 'ORD-1002',
    customer_id: 'CUST-1001',
    status: 'requested',
    kind: 'units',
    reason_code: null,
    currency: 'EUR',
    items: [],
    include_shipping: false,
    shipping_amount: 0,
    total_amount: 5949,
    reason: 'broken',
    refund_window: { delivered_at: null, closes_at: null, open: true, basis: 'not_shipped' },
    approval_window: null,
    decision: null,
    settlement: null,
    gateway_refund_id: null,
    failure_reason: null,
    came_back: false,
    attempt: 0,
    restock: false,
    allowed_actions: [],
    blocked_actions: [],
    final: false,
    version: 1,
    created_at: '2026-11-26T10:00:00Z',
    updated_at: '2026-11-26T10:00:00Z',
    ...overrides,
  };
}

function renderPanel(r: Refund, act = vi.fn().mockResolvedValue(undefined)) {
  renderWithProviders(
    <RefundActionPanel refund={r} act={act} pending={false} error={null} onRetry={() => {}} />,
  );
  return act;
}

describe('RefundActionPanel', () => {
  it('offers only what the server allows and gives the server’s reason for the rest', () => {
    // Whatever the window says, the server's answer decides: here it refuses approval.
    renderPanel(
      refund({
        allowed_actions: ['reject', 'settle'],
        blocked_actions: [
          {
            action: 'approve',
            code: 'outside_refund_window',
            detail: 'the order is outside the refund window: record a settlement instead',
          },
        ],
      }),
    );

    expect(screen.queryByRole('button', { name: /Approve and refund/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Send the refund/ })).not.toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Record a settlement' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Reject' })).toBeInTheDocument();
    expect(
      screen.getByText('The order is outside the refund window: record a settlement instead.'),
    ).toBeInTheDocument();
  });

  it('approves and sends the money in one step when approval is allowed', async () => {
    const act = renderPanel(refund({ allowed_actions: ['approve', 'reject', 'settle'] }));

    await userEvent.click(screen.getByRole('button', { name: 'Approve and refund €59.49' }));

    expect(act).toHaveBeenCalledWith({ kind: 'approve_and_execute', restock: false });
  });

  it('ticks "Restock the items" as the server proposes, and sends what the agent decides', async () => {
    // A return is restocked by default: the server says so in `restock`.
    const act = renderPanel(
      refund({ restock: true, allowed_actions: ['approve', 'reject', 'settle'] }),
    );
    const restock = screen.getByRole('checkbox', { name: /Restock the items/ });
    expect(restock).toBeChecked();

    await userEvent.click(restock);
    await userEvent.click(screen.getByRole('button', { name: 'Approve and refund €59.49' }));

    expect(act).toHaveBeenCalledWith({ kind: 'approve_and_execute', restock: false });
  });

  it('leaves "Restock the items" unticked where the server proposes no restock', async () => {
    const act = renderPanel(refund({ allowed_actions: ['approve', 'reject', 'settle'] }));
    const restock = screen.getByRole('checkbox', { name: /Restock the items/ });
    expect(restock).not.toBeChecked();

    await userEvent.click(restock);
    await userEvent.click(screen.getByRole('button', { name: 'Approve and refund €59.49' }));

    expect(act).toHaveBeenCalledWith({ kind: 'approve_and_execute', restock: true });
  });

  it('records a settlement with the restock the server proposes unless the agent changes it', async () => {
    const act = renderPanel(refund({ restock: true, allowed_actions: ['reject', 'settle'] }));
    await userEvent.click(screen.getByRole('tab', { name: 'Record a settlement' }));
    const restock = screen.getByRole('checkbox', { name: /Restock the items/ });
    expect(restock).toBeChecked();

    await userEvent.type(screen.getByRole('textbox', { name: /Note/ }), 'voucher instead');
    await userEvent.click(restock);
    await userEvent.click(screen.getByRole('button', { name: 'Record settlement' }));

    expect(act).toHaveBeenCalledWith({
      kind: 'settle',
      settlement: {
        type: 'store_credit',
        amount: 5949,
        note: 'voucher instead',
        reference: null,
        restock: false,
      },
    });
  });

  it('offers no restock choice before a decision form is open where approval is not possible', () => {
    renderPanel(refund({ allowed_actions: ['reject', 'settle'] }));

    expect(screen.queryByRole('checkbox', { name: /Restock/ })).not.toBeInTheDocument();
  });

  it('opens no decision form until the agent picks one, and names the amount on approval', async () => {
    renderPanel(refund({ total_amount: 106981, allowed_actions: ['approve', 'reject', 'settle'] }));

    expect(
      screen.getByRole('button', { name: 'Approve and refund €1,069.81' }),
    ).toBeInTheDocument();
    for (const name of ['Reject', 'Record a settlement']) {
      expect(screen.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'false');
    }
    expect(screen.queryByRole('textbox', { name: /Reason for rejecting/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Reject the refund' })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: 'Reject' }));
    expect(screen.getByRole('textbox', { name: /Reason for rejecting/ })).toBeInTheDocument();
  });

  it('lets the customer withdraw a request and nothing else', async () => {
    const act = renderPanel(refund({ allowed_actions: ['cancel'] }));

    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual([
      'Cancel this request',
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel this request' }));
    expect(act).toHaveBeenCalledWith({ kind: 'cancel' });
  });

  it('offers a failed refund again', () => {
    renderPanel(refund({ status: 'failed', allowed_actions: ['execute', 'settle'] }));

    expect(screen.getByRole('button', { name: 'Try the refund again' })).toBeInTheDocument();
  });

  it('says a final refund has nothing more to do, without listing every refusal', () => {
    renderPanel(
      refund({
        status: 'refunded',
        final: true,
        blocked_actions: [
          {
            action: 'cancel',
            code: 'invalid_transition',
            detail: 'a refund can be cancelled only while it is requested',
          },
        ],
      }),
    );

    expect(screen.getByText(/Nothing more to do: this refund is refunded/)).toBeInTheDocument();
    expect(screen.queryByText(/can be cancelled only/)).not.toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('offers a refund that came back as a bank transfer of the whole amount, in one click', async () => {
    const act = vi.fn().mockResolvedValue(undefined);
    renderPanel(
      refund({
        status: 'failed',
        came_back: true,
        failure_reason: 'expired_or_canceled_card',
        allowed_actions: ['execute', 'settle'],
      }),
      act,
    );

    await userEvent.click(screen.getByRole('button', { name: 'Record settlement' }));

    expect(act).toHaveBeenCalledWith({
      kind: 'settle',
      settlement: expect.objectContaining({ type: 'bank_transfer', amount: 5949 }),
    });
  });
});

describe('confirmation where money leaves', () => {
  const large = {
    allowed_actions: ['approve', 'settle', 'reject'],
    total_amount: 89900,
    confirm_above: 10000,
    customer: { id: 'CUST-1001', name: 'Alice Martin', email: 'alice@example.com' },
  };

  it('asks with amount, customer and method above the shop’s amount, and sends only on yes', async () => {
    const act = renderPanel(refund(large));

    await userEvent.click(screen.getByRole('button', { name: /Approve and refund/ }));

    const dialog = await screen.findByRole('dialog', {
      name: 'Approve and send €899.00 to Alice Martin?',
    });
    expect(dialog).toHaveTextContent('€899.00');
    expect(dialog).toHaveTextContent('Alice Martin');
    expect(dialog).toHaveTextContent('ORD-1002, through the payment provider');
    expect(act).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Don’t send' }));
    expect(act).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: /Approve and refund/ }));
    await userEvent.click(await screen.findByRole('button', { name: 'Approve and send €899.00' }));
    expect(act).toHaveBeenCalledWith({ kind: 'approve_and_execute', restock: false });
  });

  it('sends at once at or below the shop’s amount', async () => {
    const act = renderPanel(refund({ ...large, total_amount: 10000 }));

    await userEvent.click(screen.getByRole('button', { name: /Approve and refund/ }));

    expect(act).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks before recording a large settlement, naming its type', async () => {
    const act = renderPanel(refund(large));
    await userEvent.click(screen.getByRole('tab', { name: 'Record a settlement' }));
    await userEvent.type(screen.getByRole('textbox', { name: /^Note/ }), 'Agreed on the phone');

    await userEvent.click(screen.getByRole('button', { name: 'Record settlement' }));

    const dialog = await screen.findByRole('dialog', {
      name: 'Record €899.00 to Alice Martin?',
    });
    expect(dialog).toHaveTextContent('store credit');
    expect(act).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Record €899.00' }));
    expect(act).toHaveBeenCalledWith(
      expect.objectContaining({
        kind: 'settle',
        settlement: expect.objectContaining({ amount: 89900 }),
      }),
    );
  });
});

describe('an agent’s limit per order', () => {
  it('tells the agent before trying that a larger settlement is a supervisor’s', async () => {
    const act = renderPanel(
      refund({ allowed_actions: ['settle'], total_amount: 106981, settle_limit: 50000 }),
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Record a settlement' }));

    expect(screen.getByText(/up to €500.00 by you/)).toBeInTheDocument();
    const amount = screen.getByRole('textbox', { name: /Amount/ });
    expect(amount).toHaveValue('500.00');
    await userEvent.clear(amount);
    await userEvent.type(amount, '900');
    await userEvent.type(screen.getByRole('textbox', { name: /^Note/ }), 'Agreed');
    await userEvent.click(screen.getByRole('button', { name: 'Record settlement' }));

    expect(
      await screen.findByText('Above €500.00 a supervisor records the settlement'),
    ).toBeInTheDocument();
    expect(act).not.toHaveBeenCalled();
  });
});
