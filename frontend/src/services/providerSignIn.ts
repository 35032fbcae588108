/**
 * Signing in through the shop's identity provider (OpenID Connect). The server does the
 * protocol (a backend for the web app): the browser goes to `/auth/oidc/start`, the
 * provider, and back to `/sign-in/oidc` with a one-time code that becomes our token pair.
 */
import { API_BASE, api, SESSION_COOKIE_HEADERS, toApiError, unwrap } from './http';
import type { TokenPair } from './tokens';

export function fetchSignInProviders() {
  return unwrap(api.GET('/api/v1/auth/providers'));
}

/**
 * Trades the one-time code for the token pair. Plain fetch, not the signed-in client: a
 * refused code is not a signed-in session ending, and there is no token to refresh.
 */
export async function redeemProviderCode(code: string): Promise<TokenPair> {
  const response = await fetch(`${API_BASE}/auth/oidc/redeem`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      // The refresh token as the HttpOnly cookie, as after a password sign-in.
      ...SESSION_COOKIE_HEADERS,
    },
    body: JSON.stringify({ code }),
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, body);
  return body as TokenPair;
}

/** Only same-app paths, so a crafted link cannot send people elsewhere after signing in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    ? next
    : '/';
}

/** Where the "Sign in with …" link goes: the server's start of the flow. */
export function providerStartUrl(next: string): string {
  const path = safeNext(next);
  return `${API_BASE}/auth/oidc/start${path === '/' ? '' : `?next=${encodeURIComponent(path)}`}`;
}

export interface ProviderProblem {
  title: string;
  text: string;
}

/** What the server's reasons (`/sign-in/oidc?error=…`) mean to the person signing in. */
const PROBLEMS: Record<string, ProviderProblem> = {
  expired: {
    title: 'That sign-in has expired',
    text: 'Signing in took too long, was already finished, or was started in another browser. Please start again.',
  },
  denied: {
    title: 'Signing in was cancelled',
    text: 'You did not allow signing in at the shop’s sign-in page. Nothing was changed.',
  },
  provider_unavailable: {
    title: 'The shop’s sign-in is not answering',
    text: 'We could not reach the shop’s sign-in service. Please try again in a moment.',
  },
  provider_error: {
    title: 'The shop’s sign-in did not finish',
    text: 'The shop’s sign-in service answered with an error. Please start again.',
  },
  invalid_id_token: {
    title: 'We could not confirm who signed in',
    text: 'The answer from the shop’s sign-in service did not pass our checks, so nobody was signed in.',
  },
  no_email: {
    title: 'No email address was shared',
    text: 'The shop’s sign-in did not tell us your email address, which we need to find your account.',
  },
  email_not_verified: {
    title: 'Your email address is not confirmed yet',
    text: 'Confirm your email address with the shop first, then sign in again.',
  },
  no_account: {
    title: 'No support account for you yet',
    text: 'Support staff sign in with an account an administrator made for them. Ask an administrator.',
  },
  account_inactive: {
    title: 'Your account is deactivated',
    text: 'Ask an administrator to reactivate it.',
  },
  account_mismatch: {
    title: 'Your accounts do not match',
    text: 'An account here has your email address but a different role or customer number than the shop’s sign-in says. Please contact support.',
  },
  not_configured: {
    title: 'Signing in through the shop is not set up',
    text: 'Sign in with your email address and password instead.',
  },
  code: {
    title: 'That sign-in link was already used',
    text: 'Each sign-in finishes once, within a minute. Please start again.',
  },
};

export function providerProblem(reason: string): ProviderProblem {
  return (
    PROBLEMS[reason] ?? {
      title: 'Signing in did not finish',
      text: 'Something went wrong on the way back from the shop’s sign-in. Please start again.',
    }
  );
}
