import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tokenFromLink } from '@/services/auth';
import { tokens } from '@/services/tokens';
import { jsonResponse, renderWithProviders } from '@/test/render';
import { SessionProvider, useSession } from './useSession';

const BOB = { id: 'usr_bob', email: 'bob@example.com', name: 'Bob', role: 'agent' };
const fetchMock = vi.fn<(req: Request) => Promise<Response>>();

function Shows() {
  const { session } = useSession();
  return <output aria-label="Session">{session.status}</output>;
}

/** Another tab of the same browser: a channel of the same name. */
function otherTab() {
  return new BroadcastChannel('supportdesk-session');
}

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
  tokens.clear();
  document.cookie = 'supportdesk_signed_in=1; path=/';
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'supportdesk_signed_in=; max-age=0; path=/';
});

describe('a new tab', () => {
  it('restores the sign-in from the refresh cookie, sending the cookie header and no token', async () => {
    fetchMock.mockImplementation(async (req) => {
      if (new URL(req.url).pathname === '/api/v1/auth/refresh') {
        expect(req.headers.get('X-Session-Cookie')).toBe('1');
        return jsonResponse({ access_token: 'a1', refresh_token: null, expires_in: 900 });
      }
      return jsonResponse(BOB);
    });

    renderWithProviders(
      <SessionProvider>
        <Shows />
      </SessionProvider>,
    );

    await waitFor(() => expect(screen.getByLabelText('Session')).toHaveTextContent('signed_in'));
    expect(tokens.accessToken).toBe('a1');
  });

  it('starts signed out, without asking the server, when no sign-in is there to restore', () => {
    document.cookie = 'supportdesk_signed_in=; max-age=0; path=/';

    renderWithProviders(
      <SessionProvider>
        <Shows />
      </SessionProvider>,
    );

    expect(screen.getByLabelText('Session')).toHaveTextContent('signed_out');
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('tabs together', () => {
  it('signs out when another tab signs out', async () => {
    fetchMock.mockImplementation(async (req) =>
      new URL(req.url).pathname === '/api/v1/auth/refresh'
        ? jsonResponse({ access_token: 'a1', refresh_token: null, expires_in: 900 })
        : jsonResponse(BOB),
    );
    renderWithProviders(
      <SessionProvider>
        <Shows />
      </SessionProvider>,
    );
    await waitFor(() => expect(screen.getByLabelText('Session')).toHaveTextContent('signed_in'));

    const tab = otherTab();
    act(() => tab.postMessage({ type: 'signed_out' }));

    await waitFor(() => expect(screen.getByLabelText('Session')).toHaveTextContent('signed_out'));
    expect(tokens.accessToken).toBeNull();
    tab.close();
  });
});

describe('tokenFromLink', () => {
  it('reads the token after the #, and nothing else', () => {
    expect(tokenFromLink('#token=abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFromLink('')).toBeNull();
    expect(tokenFromLink('#other=1')).toBeNull();
    expect(tokenFromLink(`#token=${'x'.repeat(5000)}`)).toBeNull();
  });
});
