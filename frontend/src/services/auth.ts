import { api, SESSION_COOKIE_HEADERS, unwrap } from './http';
import { tokens, type TokenPair } from './tokens';
import type { Me } from './types';

const headers = SESSION_COOKIE_HEADERS;

export async function login(email: string, password: string): Promise<void> {
  tokens.set(await unwrap(api.POST('/api/v1/auth/login', { body: { email, password }, headers })));
}

export async function logout(): Promise<void> {
  try {
    if (tokens.accessToken) {
      await unwrap(api.POST('/api/v1/auth/logout', { headers }));
    }
  } finally {
    tokens.clear();
  }
}

export function fetchMe(): Promise<Me> {
  return unwrap(api.GET('/api/v1/me'));
}

/** Mails a sign-in link if the email is the order's; the answer is the same either way. */
export async function requestOrderLink(orderId: string, email: string): Promise<void> {
  await unwrap(api.POST('/api/v1/auth/order-link', { body: { order_id: orderId, email } }));
}

export function redeemOrderLink(token: string): Promise<TokenPair> {
  return unwrap(api.POST('/api/v1/auth/order-link/redeem', { body: { token }, headers }));
}

export async function requestPasswordReset(email: string): Promise<void> {
  await unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } }));
}

export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  await unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } }));
}

/** The token a mailed link carries after `#token=`: never sent to the server with the page. */
export function tokenFromLink(hash: string): string | null {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return value && value.length <= 4096 ? value : null;
}
