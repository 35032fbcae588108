import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderWithProviders } from '@/test/render';
import { NotificationSettingsPage } from './NotificationSettingsPage';
import { OutboxPage } from './OutboxPage';
import { linksOf, SentMailPage } from './SentMailPage';

type Handler = (req: Request, url: URL) => Promise<Response | undefined> | Response | undefined;
const fetchMock = vi.fn<(req: Request) => Promise<Response>>();
let handler: Handler = () => undefined;

const notFound = (path: string) =>
  jsonResponse(
    { status: 404, title: 'Not found', detail: path, code: 'not_found' },
    404,
    'application/problem+json',
  );

beforeEach(() => {
  handler = () => undefined;
  fetchMock.mockImplementation(async (req: Request) => {
    const url = new URL(req.url, 'http://localhost');
    return (await handler(req, url)) ?? notFound(url.pathname);
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

const MAIL = {
  id: 'm1',
  from: 'Demo Shop <support@example.com>',
  to: ['alice@example.com'],
  subject: 'Re: Broken headphones',
  text: 'Bob replied.\nOpen your case: http://localhost:3000/cases/case_1\n',
  html: '<p>Bob replied.</p><p><a href="http://localhost:3000/cases/case_1">Open your case</a></p><script>alert(1)</script>',
  headers: { 'Message-ID': '<case_1.1@example.com>' },
  received_at: '2026-12-01T10:00:00Z',
};

describe('SentMailPage', () => {
  it('says calmly that there is no mail catcher when the server has none', async () => {
    renderWithProviders(<SentMailPage />);
    expect(await screen.findByText('Sent mail is not available here')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('lists mail with subject, recipient and time, and shows the HTML in a sandbox', async () => {
    handler = (_req, url) =>
      url.pathname === '/sim/mail/messages' ? jsonResponse({ items: [MAIL] }) : undefined;
    renderWithProviders(<SentMailPage />);
    const table = await screen.findByRole('table', { name: 'Sent mail' });
    expect(within(table).getByText('Re: Broken headphones')).toBeInTheDocument();
    expect(within(table).getByText('alice@example.com')).toBeInTheDocument();

    const frame = screen.getByTitle('Mail content');
    // No scripts and no same-origin access for the mail's HTML.
    expect(frame.getAttribute('sandbox')).not.toMatch(/allow-scripts|allow-same-origin/);
    const links = screen.getByLabelText('Links in this mail');
    expect(
      within(links).getByRole('link', { name: 'http://localhost:3000/cases/case_1' }),
    ).toHaveAttribute('href', '/cases/case_1');
  });

  it('shows the text part with its addresses as links', async () => {
    handler = (_req, url) =>
      url.pathname === '/sim/mail/messages' ? jsonResponse({ items: [MAIL] }) : undefined;
    const user = userEvent.setup();
    renderWithProviders(<SentMailPage />);
    await user.click(await screen.findByRole('radio', { name: 'Text' }));
    const text = screen.getByLabelText('Mail text');
    expect(within(text).getByRole('link')).toHaveAttribute('href', '/cases/case_1');
  });

  it('wraps a long address anywhere instead of letting it overflow the page', async () => {
    const long = `https://shop.example/refunds/ref_${'x'.repeat(200)}?from=mail&utm=${'y'.repeat(80)}`;
    handler = (_req, url) =>
      url.pathname === '/sim/mail/messages'
        ? jsonResponse({
            items: [
              { ...MAIL, text: `See ${long}\n`, html: `<a href="${long}">View your refund</a>` },
            ],
          })
        : undefined;
    const user = userEvent.setup();
    renderWithProviders(<SentMailPage />);
    const listed = within(await screen.findByLabelText('Links in this mail')).getByRole('link');
    expect(listed).toHaveTextContent(long);
    expect(listed.style.overflowWrap).toBe('anywhere');
    await user.click(screen.getByRole('radio', { name: 'Text' }));
    const text = screen.getByLabelText('Mail text');
    expect(text.style.overflowWrap).toBe('anywhere');
    expect(within(text).getByRole('link').style.overflowWrap).toBe('anywhere');
    const view = screen.getByRole('region', { name: 'Selected mail' });
    expect(parseFloat(view.style.minWidth)).toBe(0);
  });

  it('finds the web links of a mail without running it', () => {
    expect(
      linksOf({
        html: '<a href="javascript:alert(1)">x</a><a href="https://shop.example/c">c</a>',
        text: null,
      }),
    ).toEqual(['https://shop.example/c']);
  });
});

const DEAD = {
  id: 41,
  event_id: 'evt_1',
  event_type: 'message_added',
  case_id: 'case_1',
  channel: 'email',
  state: 'dead',
  attempts: 12,
  last_error: 'SMTP 550 mailbox unavailable',
  next_attempt_at: null,
  created_at: '2026-11-29T10:00:00Z',
  delivered_at: null,
};

describe('OutboxPage', () => {
  it('says calmly that there is no outbox when the server has none', async () => {
    renderWithProviders(<OutboxPage />);
    expect(await screen.findByText('The outbox is not available here')).toBeInTheDocument();
  });

  it('lists dead rows with their error and retries one', async () => {
    const retried: string[] = [];
    handler = (req, url) => {
      if (req.method === 'GET' && url.pathname === '/api/v1/outbox') {
        expect(url.searchParams.get('state')).toBe('dead');
        return jsonResponse({ items: retried.length ? [] : [DEAD], next_cursor: null });
      }
      if (req.method === 'POST' && url.pathname === '/api/v1/outbox/41/retry') {
        retried.push(url.pathname);
        return jsonResponse({ ...DEAD, state: 'pending', next_attempt_at: DEAD.created_at });
      }
      return undefined;
    };
    const user = userEvent.setup();
    renderWithProviders(<OutboxPage />);
    const table = await screen.findByRole('table', { name: 'Outbox' });
    expect(within(table).getAllByText('SMTP 550 mailbox unavailable').length).toBeGreaterThan(0);
    await user.click(within(table).getByRole('button', { name: /Retry/ }));
    await waitFor(() => expect(retried).toEqual(['/api/v1/outbox/41/retry']));
    expect(await screen.findByText('Nothing dead.')).toBeInTheDocument();
  });

  it('answers a retry of a row that is no longer dead in plain words', async () => {
    handler = (req, url) => {
      if (req.method === 'GET') return jsonResponse({ items: [DEAD], next_cursor: null });
      if (url.pathname.endsWith('/retry'))
        return jsonResponse(
          { status: 409, title: 'Conflict', detail: 'not dead', code: 'invalid_transition' },
          409,
          'application/problem+json',
        );
      return undefined;
    };
    const user = userEvent.setup();
    renderWithProviders(<OutboxPage />);
    await user.click(await screen.findByRole('button', { name: /Retry/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/not possible in the current state/);
  });
});

describe('NotificationSettingsPage', () => {
  it('shows the three switches and saves a change at once', async () => {
    let saved = { case_replies: true, new_unassigned: false, supervisor_approvals: true };
    const patches: unknown[] = [];
    handler = async (req, url) => {
      if (url.pathname !== '/api/v1/me/notification-settings') return undefined;
      if (req.method === 'PATCH') {
        const change = (await req.json()) as Partial<typeof saved>;
        patches.push(change);
        saved = { ...saved, ...change };
      }
      return jsonResponse(saved);
    };
    const user = userEvent.setup();
    renderWithProviders(<NotificationSettingsPage />);
    const unassigned = await screen.findByRole('switch', { name: /New unassigned/ });
    expect(unassigned).not.toBeChecked();
    expect(screen.getByRole('switch', { name: /Replies on my cases/ })).toBeChecked();
    expect(screen.getByRole('switch', { name: /waiting for a supervisor/ })).toBeChecked();

    await user.click(unassigned);
    await waitFor(() => expect(patches).toEqual([{ new_unassigned: true }]));
    await waitFor(() => expect(unassigned).toBeChecked());
  });

  it('offers an agent no switch for refunds waiting for a supervisor', async () => {
    handler = (_req, url) =>
      url.pathname === '/api/v1/me/notification-settings'
        ? jsonResponse({ case_replies: true, new_unassigned: false, supervisor_approvals: null })
        : undefined;
    renderWithProviders(<NotificationSettingsPage />);
    expect(await screen.findByRole('switch', { name: /Replies on my cases/ })).toBeChecked();
    expect(screen.getByRole('switch', { name: /New unassigned/ })).not.toBeChecked();
    expect(screen.queryByRole('switch', { name: /waiting for a supervisor/ })).toBeNull();
    expect(screen.getAllByRole('switch')).toHaveLength(2);
  });

  it('says calmly that there are no settings when the server has none', async () => {
    renderWithProviders(<NotificationSettingsPage />);
    expect(
      await screen.findByText('Notification settings is not available here'),
    ).toBeInTheDocument();
  });
});
