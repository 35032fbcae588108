import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OidcSignIn } from '@/components/auth/OidcSignIn';
import { providerStartUrl, safeNext } from '@/services/providerSignIn';
import { jsonResponse, LocationProbe, renderWithProviders } from '@/test/render';
import { OidcCallbackPage } from './OidcCallbackPage';

const signInWithTokens = vi.fn();
vi.mock('@/hooks/useSession', () => ({ useSession: () => ({ signInWithTokens }) }));

function renderAt(route: string) {
  return renderWithProviders(
    <Routes>
      <Route path="/sign-in/oidc" element={<OidcCallbackPage />} />
      <Route path="*" element={<LocationProbe />} />
    </Routes>,
    { route },
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  signInWithTokens.mockReset();
});

describe('coming back from the shop’s sign-in', () => {
  it('trades the one-time code for the tokens once and goes where the person was heading', async () => {
    const pair = { access_token: 'a', refresh_token: 'r', expires_in: 900, token_type: 'bearer' };
    const fetch = vi.fn().mockResolvedValue(jsonResponse(pair));
    vi.stubGlobal('fetch', fetch);

    renderAt('/sign-in/oidc?code=one-time&next=%2Fcases%2Fcase_1');

    expect(await screen.findByLabelText('Current URL')).toHaveTextContent('/cases/case_1');
    expect(fetch).toHaveBeenCalledTimes(1);
    const [, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(JSON.parse(init.body as string)).toEqual({ code: 'one-time' });
    expect(signInWithTokens).toHaveBeenCalledWith(pair);
  });

  it('says so when the code was used or expired, and offers to start again', async () => {
    vi.stubGlobal(
      'fetch',
      vi
        .fn()
        .mockResolvedValue(
          jsonResponse({ status: 401, code: 'unauthenticated' }, 401, 'application/problem+json'),
        ),
    );

    renderAt('/sign-in/oidc?code=used');

    expect(
      await screen.findByRole('heading', { name: 'That sign-in link was already used' }),
    ).toBeInTheDocument();
    expect(signInWithTokens).not.toHaveBeenCalled();
    expect(screen.getByRole('link', { name: 'Try again' })).toHaveAttribute(
      'href',
      '/api/v1/auth/oidc/start',
    );
  });

  it('puts each reason the server gives into words', () => {
    renderAt('/sign-in/oidc?error=denied&next=%2Forders');

    expect(screen.getByRole('heading', { name: 'Signing in was cancelled' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Try again' })).toHaveAttribute(
      'href',
      '/api/v1/auth/oidc/start?next=%2Forders',
    );
    expect(screen.getByRole('link', { name: 'Sign in with email and password' })).toHaveAttribute(
      'href',
      '/login',
    );
  });

  it('never shows text from the link itself', () => {
    renderAt('/sign-in/oidc?error=%3Cb%3EYour%20account%20is%20locked%3C%2Fb%3E');

    expect(screen.getByRole('heading', { name: 'Signing in did not finish' })).toBeInTheDocument();
    expect(screen.queryByText(/locked/)).not.toBeInTheDocument();
  });

  it('treats a visit without a code as an expired sign-in', () => {
    renderAt('/sign-in/oidc');

    expect(screen.getByRole('heading', { name: 'That sign-in has expired' })).toBeInTheDocument();
  });
});

describe('the “Sign in with …” link', () => {
  it('shows only when the server names a provider, and keeps where to go next', () => {
    const { rerender } = renderWithProviders(
      <OidcSignIn provider={{ name: 'Example Shop' }} next="/cases" />,
    );

    expect(screen.getByRole('link', { name: 'Sign in with Example Shop' })).toHaveAttribute(
      'href',
      '/api/v1/auth/oidc/start?next=%2Fcases',
    );
    rerender(<OidcSignIn provider={null} next="/" />);
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('never sends people to another site afterwards', () => {
    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
      expect(safeNext(next)).toBe('/');
      expect(providerStartUrl(next)).toBe('/api/v1/auth/oidc/start');
    }
  });
});
