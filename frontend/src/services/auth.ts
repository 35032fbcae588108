import { api, unwrap } from './http';
import { tokens } from './tokens';
import type { Me } from './types';

export async function login(email: string, password: string): Promise<void> {
  const pair = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
  tokens.set(pair);
}

export async function logout(): Promise<void> {
  const refresh_token = tokens.refreshToken;
  try {
    if (tokens.accessToken) {
      await unwrap(api.POST('/api/v1/auth/logout', { body: { refresh_token } }));
    }
  } finally {
    tokens.clear();
  }
}

export function fetchMe(): Promise<Me> {
  return unwrap(api.GET('/api/v1/me'));
}
