import { Notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderWithProviders } from '@/test/render';
import { WebhookEndpointPage } from './WebhookEndpointPage';
import { WebhooksPage } from './WebhooksPage';

type Handler = (req: Request, url: URL) => Promise<Response | undefined> | Response | undefined;
const fetchMock = vi.fn<(req: Request) => Promise<Response>>();
let handler: Handler = () => undefined;

const problem = (status: number, code: string, detail: string) =>
  jsonResponse({ status, title: code, detail, code }, status, 'application/problem+json');

beforeEach(() => {
  handler = () => undefined;
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (req: Request) => {
    const url = new URL(req.url, 'http://localhost');
    return (await handler(req, url)) ?? problem(404, 'not_found', url.pathname);
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

const ENDPOINT = {
  id: 'whe_1',
  url: 'https://shop.example/hooks',
  event_types: [] as string[],
  description: 'The shop’s back office',
  active: true,
  disabled_reason: null as string | null,
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
};

const DELIVERY = {
  id: 7,
  event_id: 'evt_abc',
  event_type: 'support_case.created',
  attempt: 1,
  state: 'failed',
  status_code: 500,
  latency_ms: 42,
  response_excerpt: '{"oops": "database down"}',
  error: 'the endpoint answered 500',
  at: '2026-12-01T10:05:00Z',
  next_attempt_at: '2026-12-01T10:06:00Z',
};

const calls = (method: string, path: string) =>
  fetchMock.mock.calls.filter(
    ([req]) => req.method === method && new URL(req.url, 'http://localhost').pathname === path,
  );

function renderEndpointPage() {
  return renderWithProviders(
    <>
      <Notifications />
      <Routes>
        <Route path="/admin/webhooks/:endpointId" element={<WebhookEndpointPage />} />
      </Routes>
    </>,
    { route: '/admin/webhooks/whe_1' },
  );
}

describe('WebhooksPage', () => {
  it('shows the signing secret once after adding an endpoint, and not after dismissing it', async () => {
    let saved: unknown[] = [];
    handler = async (req, url) => {
      if (url.pathname !== '/api/v1/webhook-endpoints') return undefined;
      if (req.method === 'GET') return jsonResponse(saved);
      const body = (await req.json()) as { url: string; event_types: string[] };
      expect(body.event_types).toEqual([]);
      saved = [{ ...ENDPOINT, url: body.url }];
      return jsonResponse(
        { ...(saved[0] as object), secret: 'whsec_c2VjcmV0', previous_secret_valid_until: null },
        201,
      );
    };
    const user = userEvent.setup();
    renderWithProviders(<WebhooksPage />);
    expect(await screen.findByText('No endpoints yet.')).toBeInTheDocument();

    const form = screen.getByRole('form', { name: 'Add endpoint' });
    expect(within(form).getByLabelText('All events')).toBeChecked();
    await user.type(within(form).getByLabelText('URL'), 'https://shop.example/hooks');
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));

    const box = await screen.findByRole('region', { name: /Signing secret/ });
    expect(within(box).getByLabelText('Secret')).toHaveTextContent('whsec_c2VjcmV0');
    expect(box).toHaveTextContent(/will not be shown again/);
    expect(box).toHaveTextContent(/webhook-signature/);
    expect(within(box).getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'Endpoints' });
    expect(within(list).getByRole('link', { name: 'https://shop.example/hooks' })).toHaveAttribute(
      'href',
      '/admin/webhooks/whe_1',
    );

    await user.click(within(box).getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByText('whsec_c2VjcmV0')).not.toBeInTheDocument();
  });

  it('asks for at least one event type when All events is unticked', async () => {
    handler = (req, url) =>
      url.pathname === '/api/v1/webhook-endpoints' && req.method === 'GET'
        ? jsonResponse([])
        : undefined;
    const user = userEvent.setup();
    renderWithProviders(<WebhooksPage />);
    const form = await screen.findByRole('form', { name: 'Add endpoint' });
    await user.type(within(form).getByLabelText('URL'), 'https://shop.example/hooks');
    await user.click(within(form).getByLabelText('All events'));
    expect(within(form).getByRole('group', { name: 'Refunds' })).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect(await within(form).findByText(/Choose at least one event/)).toBeInTheDocument();
    expect(calls('POST', '/api/v1/webhook-endpoints')).toHaveLength(0);

    const refunds = within(form).getByRole('group', { name: 'Refunds' });
    await user.click(within(refunds).getByLabelText('refund.approved'));
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    await waitFor(() => expect(calls('POST', '/api/v1/webhook-endpoints')).toHaveLength(1));
    const [req] = calls('POST', '/api/v1/webhook-endpoints')[0]!;
    expect(await req.clone().json()).toMatchObject({ event_types: ['refund.approved'] });
  });

  it('puts the server’s refusal of an address next to the URL field', async () => {
    handler = (req, url) => {
      if (url.pathname !== '/api/v1/webhook-endpoints') return undefined;
      if (req.method === 'GET') return jsonResponse([]);
      return jsonResponse(
        {
          status: 422,
          title: 'Validation error',
          detail: 'Some of the information is not valid.',
          code: 'validation_error',
          errors: [
            {
              loc: ['body', 'url'],
              msg: "the URL's address 10.0.0.7 is not on the internet",
              type: 'validation_error',
            },
          ],
        },
        422,
        'application/problem+json',
      );
    };
    const user = userEvent.setup();
    renderWithProviders(<WebhooksPage />);
    const form = await screen.findByRole('form', { name: 'Add endpoint' });
    await user.type(within(form).getByLabelText('URL'), 'http://10.0.0.7/hooks');
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect(await within(form).findByText(/is not on the internet/)).toBeInTheDocument();
    expect(within(form).getByLabelText('URL')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('region', { name: /Signing secret/ })).not.toBeInTheDocument();
  });

  it('shows prominently why the service turned an endpoint off', async () => {
    handler = (_req, url) =>
      url.pathname === '/api/v1/webhook-endpoints'
        ? jsonResponse([
            {
              ...ENDPOINT,
              active: false,
              disabled_reason: 'every try failed for 3 days (last: connection refused)',
            },
          ])
        : undefined;
    renderWithProviders(<WebhooksPage />);
    const list = await screen.findByRole('list', { name: 'Endpoints' });
    expect(within(list).getByText('Turned off by the service')).toBeInTheDocument();
    expect(within(list).getByText(/every try failed for 3 days/)).toBeInTheDocument();
  });
});

describe('WebhookEndpointPage', () => {
  beforeEach(() => {
    handler = (req, url) => {
      if (url.pathname === '/api/v1/webhook-endpoints/whe_1') return jsonResponse(ENDPOINT);
      if (url.pathname === '/api/v1/webhook-endpoints/whe_1/deliveries')
        return jsonResponse({ items: [DELIVERY], next_cursor: null });
      if (
        url.pathname === '/api/v1/webhook-endpoints/whe_1/deliveries/7/retry' &&
        req.method === 'POST'
      )
        return jsonResponse({ ...DELIVERY, id: 8, state: 'pending', attempt: 0 });
      return undefined;
    };
  });

  it('shows a delivery with its state, and its error and response when opened', async () => {
    const user = userEvent.setup();
    renderEndpointPage();
    const table = await screen.findByRole('table', { name: 'Deliveries' });
    expect(within(table).getByText('support_case.created')).toBeInTheDocument();
    expect(within(table).getByText('Failed')).toBeInTheDocument();
    expect(within(table).getByText(/will retry at/)).toBeInTheDocument();
    expect(within(table).getByText('42 ms')).toBeInTheDocument();

    const details = within(table).getByRole('button', { name: /Details of support_case.created/ });
    expect(details).toHaveAttribute('aria-expanded', 'false');
    await user.click(details);
    expect(details).toHaveAttribute('aria-expanded', 'true');
    expect(within(table).getByText('the endpoint answered 500')).toBeInTheDocument();
    expect(within(table).getByLabelText('Response excerpt')).toHaveTextContent('database down');
  });

  it('sends a delivery again through its retry URL, says so, and reloads the log', async () => {
    const user = userEvent.setup();
    renderEndpointPage();
    const table = await screen.findByRole('table', { name: 'Deliveries' });
    const listed = calls('GET', '/api/v1/webhook-endpoints/whe_1/deliveries').length;
    await user.click(
      within(table).getByRole('button', { name: /Send again support_case.created/ }),
    );

    expect(
      await screen.findByText(/sent again with the same webhook-id: it goes out in a moment/),
    ).toBeInTheDocument();
    expect(calls('POST', '/api/v1/webhook-endpoints/whe_1/deliveries/7/retry')).toHaveLength(1);
    await waitFor(() =>
      expect(calls('GET', '/api/v1/webhook-endpoints/whe_1/deliveries').length).toBeGreaterThan(
        listed,
      ),
    );
  });

  it('says in words that a delivery queued already is not queued twice (409)', async () => {
    const base = handler;
    handler = (req, url) =>
      url.pathname.endsWith('/retry')
        ? problem(409, 'invalid_transition', 'this event is queued for this endpoint already')
        : base(req, url);
    const user = userEvent.setup();
    renderEndpointPage();
    const table = await screen.findByRole('table', { name: 'Deliveries' });
    await user.click(
      within(table).getByRole('button', { name: /Send again support_case.created/ }),
    );
    expect(
      await screen.findByText(/is queued for this endpoint already: it goes out at its next try/),
    ).toBeInTheDocument();
  });

  it('edits an endpoint with its chosen event types ticked, and saves the change', async () => {
    const chosen = { ...ENDPOINT, event_types: ['refund.approved', 'refund.refunded'] };
    const base = handler;
    handler = (req, url) =>
      url.pathname === '/api/v1/webhook-endpoints/whe_1'
        ? jsonResponse(req.method === 'PATCH' ? { ...chosen, description: null } : chosen)
        : base(req, url);
    const user = userEvent.setup();
    renderEndpointPage();
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('form', { name: 'Change endpoint' });
    expect(within(form).getByLabelText('All events')).not.toBeChecked();
    expect(within(form).getByLabelText('refund.approved')).toBeChecked();
    expect(within(form).getByLabelText('support_case.created')).not.toBeChecked();
    await user.clear(within(form).getByLabelText('Description'));
    await user.click(within(form).getByLabelText('refund.refunded'));
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls('PATCH', '/api/v1/webhook-endpoints/whe_1')).toHaveLength(1));
    const [req] = calls('PATCH', '/api/v1/webhook-endpoints/whe_1')[0]!;
    expect(await req.clone().json()).toEqual({
      url: 'https://shop.example/hooks',
      description: null,
      event_types: ['refund.approved'],
    });
    expect(await screen.findByRole('button', { name: 'Edit' })).toBeInTheDocument();
  });

  it('shows why the service turned it off, offers to turn it on, and marks deliveries given up on', async () => {
    handler = (_req, url) => {
      if (url.pathname === '/api/v1/webhook-endpoints/whe_1')
        return jsonResponse({
          ...ENDPOINT,
          active: false,
          disabled_reason: 'every try failed for 3 days (last: connection refused)',
        });
      if (url.pathname === '/api/v1/webhook-endpoints/whe_1/deliveries')
        return jsonResponse({
          items: [{ ...DELIVERY, state: 'dead', next_attempt_at: null }],
          next_cursor: null,
        });
      return undefined;
    };
    renderEndpointPage();
    expect(await screen.findByText('Turned off by the service')).toBeInTheDocument();
    expect(screen.getByText(/every try failed for 3 days/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Turn on' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Deliveries' });
    expect(within(table).getByText('Gave up')).toBeInTheDocument();
    expect(within(table).queryByText(/will retry at/)).not.toBeInTheDocument();
  });

  it('turns the endpoint off only after confirming', async () => {
    const base = handler;
    handler = (req, url) =>
      req.method === 'PATCH' ? jsonResponse({ ...ENDPOINT, active: false }) : base(req, url);
    const user = userEvent.setup();
    renderEndpointPage();
    await user.click(await screen.findByRole('button', { name: 'Turn off' }));
    const dialog = await screen.findByRole('dialog', { name: 'Turn this endpoint off?' });
    expect(calls('PATCH', '/api/v1/webhook-endpoints/whe_1')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(calls('PATCH', '/api/v1/webhook-endpoints/whe_1')).toHaveLength(1));
    const [req] = calls('PATCH', '/api/v1/webhook-endpoints/whe_1')[0]!;
    expect(await req.clone().json()).toEqual({ active: false });
    expect(await screen.findByRole('button', { name: 'Turn on' })).toBeInTheDocument();
  });

  it('shows the rotated secret once, with how long the old one keeps signing', async () => {
    const base = handler;
    handler = (req, url) =>
      url.pathname.endsWith('/rotate-secret')
        ? jsonResponse({
            ...ENDPOINT,
            secret: 'whsec_bmV3',
            previous_secret_valid_until: '2026-12-02T10:00:00Z',
          })
        : base(req, url);
    const user = userEvent.setup();
    renderEndpointPage();
    await user.click(await screen.findByRole('button', { name: 'Rotate secret' }));
    const dialog = await screen.findByRole('dialog', { name: 'Rotate the signing secret?' });
    await user.click(within(dialog).getByRole('button', { name: 'Rotate secret' }));
    const box = await screen.findByRole('region', { name: /Signing secret/ });
    expect(within(box).getByLabelText('Secret')).toHaveTextContent('whsec_bmV3');
    expect(box).toHaveTextContent(/old secret keeps signing too until/);
  });
});
