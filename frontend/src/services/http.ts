/**
 * The one way the app talks to the API: a typed openapi-fetch client whose fetch adds the
 * bearer token, refreshes it once on a 401, and whose answers are unwrapped into data or a
 * typed ApiError carrying the problem+json fields.
 */
import createClient from 'openapi-fetch';
import type { paths } from './api-types';
import { tokens } from './tokens';

export const API_BASE = '/api/v1';
// Absolute, so requests are well-formed outside a page too (tests, workers).
const ORIGIN = globalThis.location?.origin ?? '';

import { sentence } from './format';
import type { FieldProblem, Problem } from './types';

const PLAIN_WORDS: Record<string, string> = {
  unauthenticated: 'Your session has ended. Please sign in again.',
  forbidden: 'You are not allowed to do that.',
  supervisor_approval_required:
    'This refund is above the approval limit: a supervisor must approve it.',
  not_found: 'We could not find that. It may not exist, or it is not yours to see.',
  order_not_found: 'We could not find that order on your account.',
  validation_error: 'Some of the information is not valid.',
  invalid_transition: 'That step is not possible in the current state. Reload to see the latest.',
  version_conflict:
    'Someone else changed this in the meantime. Reload to see the latest, then try again.',
  case_has_open_refunds: 'This case still has a refund in progress, so it cannot be closed yet.',
  refund_quantity_exceeded: 'You asked for more units than can still be refunded.',
  outside_refund_window:
    'This order is outside the refund window, so it cannot be refunded through the payment gateway. Reject it or record a settlement instead.',
  rate_limited: 'Too many requests. Please wait a moment and try again.',
  invalid_cursor: 'That page of the list is no longer valid. Start again from the first page.',
  email_taken: 'A user with this email already exists.',
  last_admin: 'This is the last active admin: somebody must remain able to manage users.',
  payload_too_large: 'That is too large to send.',
  unsupported_media_type: 'The app sent data in a form the server does not take.',
  payment_gateway_error: 'The payment provider refused or failed the refund.',
  upstream_unavailable: 'A system we depend on is not answering right now. Please try again.',
  network_error: 'We could not reach the server. Check your connection and try again.',
  internal_error: 'Something went wrong on our side.',
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldProblem[];
  readonly problem: Partial<Problem>;

  constructor(problem: Partial<Problem> & { status: number }) {
    const code = problem.code ?? codeFromStatus(problem.status);
    super(problem.detail ?? problem.title ?? code);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = code;
    this.title = problem.title ?? code;
    this.detail = problem.detail ?? '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.problem = problem;
  }

  /** A sentence a shop customer or agent can act on. */
  get plainMessage(): string {
    // The server says how long to wait ("wait 2 minutes before trying again"): say it too.
    if (this.code === 'rate_limited' && this.detail) return sentence(this.detail);
    return PLAIN_WORDS[this.code] ?? (this.detail || this.title || 'Something went wrong.');
  }

  /** Worth offering a "Try again" button: the failure is on the way, not in the request. */
  get retryable(): boolean {
    return this.status === 503 || this.status === 0 || this.status === 429 || this.status === 502;
  }

  /** Field-level messages keyed by the field's dotted path inside the body, e.g. `items.0.quantity`. */
  get fieldErrors(): Record<string, string> {
    return fieldErrorsOf(this.errors);
  }
}

function codeFromStatus(status: number): string {
  const byStatus: Record<number, string> = {
    0: 'network_error',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    422: 'validation_error',
    429: 'rate_limited',
    502: 'payment_gateway_error',
    503: 'upstream_unavailable',
  };
  return byStatus[status] ?? (status >= 500 ? 'internal_error' : 'http_error');
}

export function fieldErrorsOf(errors: FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const loc = e.loc.map(String);
    const path = (
      ['body', 'query', 'path', 'header'].includes(loc[0] ?? '') ? loc.slice(1) : loc
    ).join('.');
    const key = path || '_';
    if (!(key in out)) out[key] = humanize(e.msg);
    else continue;
  }
  return out;
}

function humanize(msg: string): string {
  const m = msg.replace(/^Value error, /, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object') {
    return new ApiError({ ...(body as Partial<Problem>), status });
  }
  return new ApiError({ status, detail: typeof body === 'string' ? body : '' });
}

// --- authenticated fetch ----------------------------------------------------------------

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

/** Called when a request got 401 and the refresh token could not mend it. */
export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

let refreshing: Promise<boolean> | null = null;

/** Asks for the refresh token as an HttpOnly cookie, and lets the server use that cookie:
 * a page of another site cannot send this header, so it cannot use the cookie (CSRF). */
export const SESSION_COOKIE_HEADERS = { 'X-Session-Cookie': '1' } as const;

/** Trades the refresh cookie for a new access token (and a new cookie); concurrent callers
 * in this tab share one attempt, and the server gives tabs refreshing at the same moment a
 * few seconds' grace. */
export function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const res = await fetch(
        new Request(`${ORIGIN}${API_BASE}/auth/refresh`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { Accept: 'application/json', ...SESSION_COOKIE_HEADERS },
        }),
      );
      if (!res.ok) {
        if (res.status === 401 || res.status === 403 || res.status === 422) tokens.clear();
        return false;
      }
      tokens.set(await res.json());
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

const isAuthCall = (url: string) =>
  /\/auth\/(login|refresh|order-link(\/redeem)?|password-reset(\/confirm)?|oidc\/redeem)$/.test(
    new URL(url, 'http://x').pathname,
  );

export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const send = (req: Request) => {
    if (tokens.accessToken) req.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
    return fetch(req);
  };
  let res: Response;
  try {
    res = await send(input);
  } catch {
    return networkProblem();
  }
  if (res.status !== 401 || isAuthCall(input.url)) return res;
  if (await refreshTokens()) {
    try {
      res = await send(retry);
    } catch {
      return networkProblem();
    }
    if (res.status !== 401) return res;
  }
  tokens.clear();
  sessionEndedListeners.forEach((l) => l());
  return res;
}

function networkProblem(): Response {
  return new Response(
    JSON.stringify({ status: 0, code: 'network_error', title: 'Network error', detail: '' }),
    { status: 599, headers: { 'Content-Type': 'application/problem+json' } },
  );
}

export const api = createClient<paths>({
  baseUrl: ORIGIN,
  // Resolved at call time so tests can stub the global fetch.
  fetch: (req) => authFetch(req),
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Unwraps an openapi-fetch answer: the data, or a thrown ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const status = response.status === 599 ? 0 : response.status;
    throw toApiError(status, error);
  }
  return data as T;
}

/** `If-Match` header for optimistic concurrency, when the client knows the version it saw. */
export function ifMatch(version: number | undefined): Record<string, string> {
  return version === undefined ? {} : { 'If-Match': String(version) };
}
