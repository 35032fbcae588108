import { Notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RefundPolicy } from '@/services/types';
import { jsonResponse, renderWithProviders } from '@/test/render';
import { RefundPolicyPage } from './RefundPolicyPage';
import { POLICY_V1 } from '@/test/policy';

type Handler = (req: Request, url: URL) => Promise<Response | undefined> | Response | undefined;
const fetchMock = vi.fn<(req: Request) => Promise<Response>>();
let handler: Handler = () => undefined;

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  jsonResponse(
    { status, title: code, detail: code, code, ...extra },
    status,
    'application/problem+json',
  );

const V1 = POLICY_V1;

const DRY_RUN = {
  based_on_version: 1,
  since: '2026-11-03T10:00:00Z',
  until: '2026-12-03T10:00:00Z',
  decisions: 12,
  changed: 2,
  outcomes: { same: 10, could_approve: 2 },
  truncated: false,
  rows: [
    {
      refund_id: 'ref_grinder',
      order_id: 'ORD-1002',
      decided_at: '2026-12-02T09:00:00Z',
      action: 'rejected',
      role: 'agent',
      money: 'units',
      amount: 5949,
      currency: 'EUR',
      then: {
        policy_version: 1,
        rule: 'outside_window',
        explanation: 'rejected under policy v1: delivered 20 days ago, outside the 14-day window',
      },
      draft: {
        rule: 'delivered_within_window',
        explanation: 'delivered 20 days ago, window 30 days',
      },
      outcome: 'could_approve',
      changed: true,
    },
  ],
};

let current: RefundPolicy = V1;
let versions: RefundPolicy[] = [V1];

beforeEach(() => {
  current = V1;
  versions = [V1];
  handler = () => undefined;
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (req: Request) => {
    const url = new URL(req.url, 'http://localhost');
    const answer = await handler(req, url);
    if (answer) return answer;
    if (req.method === 'GET' && url.pathname === '/api/v1/refund-policy')
      return jsonResponse(current);
    if (req.method === 'GET' && url.pathname === '/api/v1/refund-policy/versions')
      return jsonResponse({ items: versions, next_cursor: null });
    if (req.method === 'POST' && url.pathname === '/api/v1/refund-policy/dry-run')
      return jsonResponse(DRY_RUN);
    return problem(404, 'not_found');
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

const calls = (method: string, path: string) =>
  fetchMock.mock.calls
    .map(([req]) => req)
    .filter(
      (req) => req.method === method && new URL(req.url, 'http://localhost').pathname === path,
    );

async function bodyOf(req: Request | undefined): Promise<Record<string, unknown>> {
  return (await req!.clone().json()) as Record<string, unknown>;
}

function renderPage() {
  return renderWithProviders(
    <>
      <Notifications />
      <RefundPolicyPage />
    </>,
  );
}

const draft = () => screen.getByRole('form', { name: 'Policy draft' });
const publishButton = () => screen.getByRole('button', { name: 'Publish as version 2' });
const tryButton = () => screen.getByRole('button', { name: 'Try on the last 30 days' });

async function setField(name: string | RegExp, value: string) {
  const input = within(draft()).getByLabelText(name);
  await userEvent.clear(input);
  if (value) await userEvent.type(input, value);
}

describe('the refund policy page', () => {
  it('shows the version in force and prefills the draft, limits in euros', async () => {
    renderPage();

    expect(await screen.findByText("Version 1: the service's settings")).toBeInTheDocument();
    expect(within(draft()).getByLabelText('Refund window (days)')).toHaveValue('14');
    expect(within(draft()).getByLabelText('Refunds of units (EUR)')).toHaveValue('500.00');
    expect(within(draft()).getByLabelText('Settlements (EUR)')).toHaveValue('500.00');
  });

  it('offers to publish only after a dry run of exactly this draft', async () => {
    renderPage();
    await screen.findByRole('form', { name: 'Policy draft' });
    expect(publishButton()).toBeDisabled();

    await setField('Refund window (days)', '30');
    await setField('Refunds of units (EUR)', '300.50');
    await userEvent.click(tryButton());

    expect(await screen.findByText('12 decisions in the last 30 days; 2 would change'));
    const sent = await bodyOf(calls('POST', '/api/v1/refund-policy/dry-run')[0]);
    expect(sent).toMatchObject({ window_days: 30, approval_threshold: 30050 });
    const row = within(screen.getByRole('table', { name: 'Dry run' })).getByRole('row', {
      name: /ORD-1002/,
    });
    expect(row).toHaveTextContent('could be approved');
    expect(within(row).getByRole('link', { name: 'Refund ref_grinder' })).toHaveAttribute(
      'href',
      '/refunds/ref_grinder',
    );
    await waitFor(() => expect(publishButton()).toBeEnabled());

    // Any change after the dry run asks for a new one; undoing it is the tried draft again.
    await setField('Lost in transit after (days)', '12');
    expect(publishButton()).toBeDisabled();
    expect(screen.getByText(/changed after the dry run/)).toBeInTheDocument();
    await setField('Lost in transit after (days)', '10');
    expect(publishButton()).toBeEnabled();
  });

  it('asks first, then publishes with the version the draft was made from', async () => {
    handler = async (req, url) => {
      if (req.method !== 'POST' || url.pathname !== '/api/v1/refund-policy') return undefined;
      const body = (await req.clone().json()) as Partial<RefundPolicy>;
      current = {
        ...V1,
        ...body,
        version: 2,
        created_at: '2026-12-03T10:00:00Z',
        created_by: { id: 'usr_admin', name: 'Ada Admin' },
      };
      versions = [current, V1];
      return jsonResponse(current, 201);
    };
    renderPage();
    await screen.findByRole('form', { name: 'Policy draft' });
    await setField('Refund window (days)', '30');
    await userEvent.click(tryButton());
    await waitFor(() => expect(publishButton()).toBeEnabled());

    await userEvent.click(publishButton());
    const dialog = await screen.findByRole('dialog', {
      name: 'Publish version 2 of the refund policy?',
    });
    expect(calls('POST', '/api/v1/refund-policy')).toHaveLength(0);
    await userEvent.type(within(dialog).getByLabelText(/Note for the history/), 'Longer window');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Publish version 2' }));

    await waitFor(() => expect(calls('POST', '/api/v1/refund-policy')).toHaveLength(1));
    const req = calls('POST', '/api/v1/refund-policy')[0]!;
    expect(req.headers.get('If-Match')).toBe('1');
    expect(await bodyOf(req)).toMatchObject({
      window_days: 30,
      approval_threshold: 50000,
      note: 'Longer window',
    });
    expect(
      await screen.findByText(/^Version 2, published by Ada Admin on .+: Longer window$/),
    ).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Policy versions' })).toHaveTextContent(
      'window 14 → 30 days',
    );
    // The next draft starts from version 2, with no dry run yet.
    expect(screen.getByRole('button', { name: 'Publish as version 3' })).toBeDisabled();
  });

  it('says another admin published meanwhile, and shows the version now in force', async () => {
    handler = (req, url) => {
      if (req.method !== 'POST' || url.pathname !== '/api/v1/refund-policy') return undefined;
      current = {
        ...V1,
        version: 2,
        window_days: 21,
        note: 'Three weeks',
        created_at: '2026-12-03T09:59:00Z',
        created_by: { id: 'usr_other', name: 'Olga Admin' },
      };
      versions = [current, V1];
      return problem(409, 'version_conflict');
    };
    renderPage();
    await screen.findByRole('form', { name: 'Policy draft' });
    await setField('Refund window (days)', '30');
    await userEvent.click(tryButton());
    await waitFor(() => expect(publishButton()).toBeEnabled());
    await userEvent.click(publishButton());
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Publish version 2' }));

    expect(await screen.findByRole('alert', { name: 'Not published' })).toHaveTextContent(
      /Another admin published a new version meanwhile/,
    );
    expect(
      await screen.findByText(/^Version 2, published by Olga Admin on .+: Three weeks$/),
    ).toBeInTheDocument();
    expect(within(draft()).getByLabelText('Refund window (days)')).toHaveValue('21');
    expect(screen.getByRole('button', { name: 'Publish as version 3' })).toBeDisabled();
  });

  it('shows the server’s refusal under the field it names', async () => {
    handler = (req, url) =>
      req.method === 'POST' && url.pathname === '/api/v1/refund-policy/dry-run'
        ? problem(422, 'validation_error', {
            errors: [
              {
                loc: ['body', 'category_windows', '0', 'category'],
                msg: "'kitchen' is final sale, so it has no window of its own",
                type: 'validation_error',
              },
            ],
          })
        : undefined;
    renderPage();
    await screen.findByRole('form', { name: 'Policy draft' });
    await userEvent.click(within(draft()).getByRole('button', { name: 'Add a category' }));
    await setField('Category 1', 'kitchen');

    await userEvent.click(tryButton());

    const category = within(draft()).getByLabelText('Category 1');
    await waitFor(() => expect(category).toHaveAccessibleDescription(/is final sale/));
    expect(publishButton()).toBeDisabled();
  });

  it('refuses an amount that is not money before asking the server', async () => {
    renderPage();
    await screen.findByRole('form', { name: 'Policy draft' });
    await setField('Settlements (EUR)', '12,345');

    await userEvent.click(tryButton());

    expect(await within(draft()).findByText('An amount like 500.00')).toBeInTheDocument();
    expect(calls('POST', '/api/v1/refund-policy/dry-run')).toHaveLength(0);
  });
});
