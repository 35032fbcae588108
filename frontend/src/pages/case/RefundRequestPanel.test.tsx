import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Order, Quote } from '@/services/types';
import { jsonResponse, renderWithProviders } from '@/test/render';
import { RefundRequestPanel } from './RefundRequestPanel';

const WINDOW = {
  delivered_at: '2026-11-23T10:00:00Z',
  closes_at: '2026-12-07T10:00:00Z',
  open: true,
  basis: 'delivered' as const,
};
// Nothing given back yet: the whole €145.12 remains.
const COMPENSATION = { currency: 'EUR', paid: 14512, out: 0, held: 0, remaining: 14512 };
const ORDER: Order = {
  id: 'ORD-1001',
  customer_id: 'CUST-1001',
  currency: 'EUR',
  status: 'delivered',
  placed_at: '2026-11-20T10:00:00Z',
  shipped_at: '2026-11-21T10:00:00Z',
  delivered_at: WINDOW.delivered_at,
  lines: [
    {
      line_id: 'L1',
      sku: 'HP-100',
      name: 'Wireless Headphones',
      quantity: 1,
      unit_price: 8999,
      discount: 0,
      tax: 1710,
      gross: 10709,
      refundable_quantity: 1,
    },
    {
      line_id: 'L2',
      sku: 'CBL-2',
      name: 'USB-C Cable',
      quantity: 3,
      unit_price: 999,
      discount: 300,
      tax: 512,
      gross: 3209,
      refundable_quantity: 3,
    },
  ],
  shipping: { amount: 499, tax: 95, refundable: true },
  refund_window: WINDOW,
  compensation: COMPENSATION,
};

function quoteFor(quantity: number): Quote {
  const parts = [1070, 1070, 1069].slice(0, quantity);
  const amount = parts.reduce((a, b) => a + b, 0);
  return {
    currency: 'EUR',
    items: [{ line_id: 'L2', sku: 'CBL-2', name: 'USB-C Cable', quantity, parts, amount }],
    include_shipping: false,
    shipping_amount: 0,
    total_amount: amount,
    refund_window: WINDOW,
    compensation: COMPENSATION,
  };
}

const at = '2026-12-01T10:00:00Z';
const REASONS = [
  ['damaged', 'Damaged'],
  ['wrong_item', 'Wrong item'],
  ['other', 'Other'],
].map(([code, label], i) => ({
  code,
  label,
  active: true,
  position: i + 1,
  version: 1,
  created_at: at,
  updated_at: at,
}));

const fetchMock = vi.fn<(req: Request) => Promise<Response>>();
let sent: unknown = null;

beforeEach(() => {
  fetchMock.mockImplementation(async (req: Request) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/api/v1/orders/ORD-1001')
      return jsonResponse(ORDER);
    if (req.method === 'GET' && url.pathname === '/api/v1/reason-codes')
      return jsonResponse({ items: REASONS, next_cursor: null });
    if (req.method === 'POST' && url.pathname === '/api/v1/support-cases/case_1/refunds/quote') {
      const body = (await req.clone().json()) as { items: { line_id: string; quantity: number }[] };
      return jsonResponse(quoteFor(body.items[0]!.quantity));
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/support-cases/case_1/refunds') {
      sent = await req.clone().json();
      return jsonResponse(
        {
          status: 422,
          title: 'Too many units',
          detail: 'only 1 left',
          code: 'refund_quantity_exceeded',
          errors: [
            { loc: ['body', 'items', '0', 'quantity'], msg: 'only 1 unit can still be refunded' },
          ],
        },
        422,
        'application/problem+json',
      );
    }
    return jsonResponse(
      { status: 404, title: 'Not found', detail: url.pathname, code: 'not_found' },
      404,
    );
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

const quoteCalls = () =>
  fetchMock.mock.calls.filter(([req]) => new URL(req.url, 'http://x').pathname.endsWith('/quote'));

describe('RefundRequestPanel', () => {
  it('keeps quantities within what is refundable and asks for no quote beyond it', async () => {
    const user = userEvent.setup();
    renderWithProviders(<RefundRequestPanel caseId="case_1" orderId="ORD-1001" />);
    const cables = await screen.findByRole('textbox', { name: 'Units of USB-C Cable to refund' });

    await user.clear(cables);
    await user.type(cables, '4');

    expect(await screen.findByText('At most 3 can be refunded')).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 500));
    expect(quoteCalls()).toHaveLength(0);
    expect(
      screen.getByText('Pick the units you want refunded to see the amount.'),
    ).toBeInTheDocument();
  });

  it('speaks of the customer, not of "you", when staff ask on her behalf', async () => {
    const user = userEvent.setup();
    renderWithProviders(
      <RefundRequestPanel caseId="case_1" orderId="ORD-1001" onBehalfOf="Alice Example" />,
    );
    const cables = await screen.findByRole('textbox', { name: 'Units of USB-C Cable to refund' });
    expect(screen.getByText('Pick the units to refund to see the amount.')).toBeInTheDocument();
    expect(screen.queryByText(/you want refunded/)).not.toBeInTheDocument();

    await user.clear(cables);
    await user.type(cables, '1');

    expect(await screen.findByText('What Alice Example would get back')).toBeInTheDocument();
    expect(screen.queryByText('What you would get back')).not.toBeInTheDocument();
  });

  it('shows the server’s quote, per unit and in total, before sending', async () => {
    const user = userEvent.setup();
    renderWithProviders(<RefundRequestPanel caseId="case_1" orderId="ORD-1001" />);
    const cables = await screen.findByRole('textbox', { name: 'Units of USB-C Cable to refund' });

    await user.clear(cables);
    await user.type(cables, '2');

    const quote = screen.getByRole('region', { name: 'Quote' });
    await waitFor(() =>
      expect(within(quote).getByTestId('refund-total')).toHaveTextContent('€21.40'),
    );
    expect(within(quote).getByText('€10.70 each')).toBeInTheDocument();
    const [req] = quoteCalls().at(-1)!;
    expect(await req.clone().json()).toMatchObject({
      items: [{ line_id: 'L2', quantity: 2 }],
      include_shipping: false,
    });
  });

  it('puts the server’s quantity error next to the line it is about', async () => {
    const user = userEvent.setup();
    renderWithProviders(<RefundRequestPanel caseId="case_1" orderId="ORD-1001" />);
    const cables = await screen.findByRole('textbox', { name: 'Units of USB-C Cable to refund' });
    await user.clear(cables);
    await user.type(cables, '2');
    await user.type(screen.getByRole('textbox', { name: /Reason/ }), 'They do not charge.');
    await user.click(screen.getByRole('button', { name: 'Send refund request' }));

    expect(await screen.findByText('Only 1 unit can still be refunded')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('more units than can still be refunded');
  });

  it('starts on the cause the case suggests and sends a line’s own cause where one is chosen', async () => {
    const user = userEvent.setup();
    renderWithProviders(
      <RefundRequestPanel caseId="case_1" orderId="ORD-1001" suggestedReason="damaged" />,
    );
    const cause = await screen.findByRole('combobox', { name: 'Cause' });
    expect(cause).toHaveValue('damaged');
    expect(screen.queryByRole('combobox', { name: /Cause for/ })).not.toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Units of USB-C Cable to refund' }), '1');
    await user.type(
      screen.getByRole('textbox', { name: 'Units of Wireless Headphones to refund' }),
      '1',
    );
    const [, cables] = screen.getAllByRole('button', { name: 'Another cause for this item' });
    await user.click(cables!);
    await user.selectOptions(
      screen.getByRole('combobox', { name: 'Cause for USB-C Cable' }),
      'Wrong item',
    );
    await user.type(screen.getByRole('textbox', { name: /Reason/ }), 'Crackles; wrong cable.');
    await user.click(screen.getByRole('button', { name: 'Send refund request' }));

    await waitFor(() =>
      expect(sent).toMatchObject({
        reason_code: 'damaged',
        items: [
          { line_id: 'L1', quantity: 1 },
          { line_id: 'L2', quantity: 1, reason_code: 'wrong_item' },
        ],
      }),
    );
    expect((sent as { items: object[] }).items[0]).not.toHaveProperty('reason_code');
  });
});
