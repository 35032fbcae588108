import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '@/test/render';
import { api, ApiError, onSessionEnded, unwrap } from './http';
import { tokens } from './tokens';

const fetchMock = vi.fn<(req: Request) => Promise<Response>>();

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
  tokens.clear();
});
afterEach(() => vi.unstubAllGlobals());

const problem = (status: number, body: object) =>
  jsonResponse({ status, ...body }, status, 'application/problem+json');

describe('unwrap', () => {
  it('returns the data of a successful answer', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse({ id: 'u1', email: 'a@b.c', name: 'A', role: 'customer', customer_id: 'C1' }),
    );
    await expect(unwrap(api.GET('/api/v1/me'))).resolves.toMatchObject({ id: 'u1' });
  });

  it('turns problem+json into an ApiError with field messages keyed by field', async () => {
    fetchMock.mockResolvedValue(
      problem(422, {
        title: 'Invalid input',
        detail: 'body.subject: String should have at least 1 character',
        code: 'validation_error',
        errors: [
          {
            loc: ['body', 'subject'],
            msg: 'String should have at least 1 character',
            type: 'string_too_short',
          },
          {
            loc: ['body', 'items', '0', 'quantity'],
            msg: 'Value error, too many',
            type: 'value_error',
          },
        ],
      }),
    );
    const err = await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect(apiErr.status).toBe(422);
    expect(apiErr.code).toBe('validation_error');
    expect(apiErr.fieldErrors).toEqual({
      subject: 'String should have at least 1 character',
      'items.0.quantity': 'Too many',
    });
    expect(apiErr.retryable).toBe(false);
  });

  it('says an unavailable upstream in plain words and offers a retry', async () => {
    fetchMock.mockResolvedValue(
      problem(503, {
        title: 'Service unavailable',
        detail: 'order system timed out',
        code: 'upstream_unavailable',
      }),
    );
    const err = (await unwrap(api.GET('/api/v1/orders')).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('upstream_unavailable');
    expect(err.retryable).toBe(true);
    expect(err.plainMessage).toMatch(/not answering right now/);
  });

  it('knows a 409 version conflict', async () => {
    fetchMock.mockResolvedValue(
      problem(409, { title: 'Changed', detail: 'you saw version 1', code: 'version_conflict' }),
    );
    const err = (await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiError;
    expect(err.plainMessage).toMatch(/Someone else changed this/);
  });

  it("says how long to wait when sign-ins are throttled, in the server's words", async () => {
    fetchMock.mockResolvedValue(
      problem(429, {
        title: 'Too many requests',
        detail:
          'too many failed sign-ins to this account from your address; wait 2 minutes before trying again',
        code: 'rate_limited',
      }),
    );
    const err = (await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiError;
    expect(err.plainMessage).toBe(
      'Too many failed sign-ins to this account from your address; wait 2 minutes before trying again.',
    );
  });

  it('makes a network failure an ApiError with status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const err = (await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.code).toBe('network_error');
    expect(err.retryable).toBe(true);
  });

  it('falls back to the status when the body is not problem+json', async () => {
    fetchMock.mockResolvedValue(new Response('gateway down', { status: 502 }));
    const err = (await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('payment_gateway_error');
  });
});

describe('authentication', () => {
  it('sends the bearer token, refreshes once on 401 with the session cookie and retries with the new token', async () => {
    tokens.set({ access_token: 'old', expires_in: 900 });
    fetchMock.mockImplementation(async (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/v1/auth/refresh') {
        // The refresh token is the HttpOnly cookie: no body, and the header that lets the
        // server use the cookie.
        expect(req.headers.get('X-Session-Cookie')).toBe('1');
        expect(req.credentials).toBe('same-origin');
        expect(await req.text()).toBe('');
        return jsonResponse({
          access_token: 'new',
          refresh_token: null,
          token_type: 'bearer',
          expires_in: 900,
        });
      }
      return req.headers.get('Authorization') === 'Bearer new'
        ? jsonResponse({ id: 'u1' })
        : problem(401, { title: 'Unauthenticated', detail: 'expired', code: 'unauthenticated' });
    });

    await expect(unwrap(api.GET('/api/v1/me'))).resolves.toMatchObject({ id: 'u1' });
    expect(tokens.accessToken).toBe('new');
  });

  it('ends the session when the refresh token is refused', async () => {
    tokens.set({ access_token: 'old', expires_in: 900 });
    const ended = vi.fn();
    const off = onSessionEnded(ended);
    fetchMock.mockResolvedValue(
      problem(401, { title: 'Unauthenticated', detail: 'expired', code: 'unauthenticated' }),
    );

    const err = (await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiError;
    off();
    expect(err.status).toBe(401);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(tokens.accessToken).toBeNull();
  });
});
