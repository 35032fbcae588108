/**
 * Calls and types for the outbox admin API, the embedded mail catcher (/sim/mail) and the
 * staff's notification settings. Written by hand until those routes are in this build's
 * OpenAPI document; then they move to the generated client (`api`) like the rest.
 *
 * Each read answers `null` when the server has no such route (404 with no problem code of a
 * resource): the page then says calmly that the feature is not available here.
 */
import { API_BASE, ApiError, authFetch, toApiError } from './http';

const ORIGIN = globalThis.location?.origin ?? '';

export type OutboxState = 'pending' | 'delivered' | 'dead';

export interface OutboxItem {
  id: number | string;
  event_id: string;
  event_type: string;
  case_id: string | null;
  channel: string;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface OutboxPage {
  items: OutboxItem[];
  next_cursor: string | null;
}

export interface CaughtMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
  received_at: string;
}

export interface NotificationSettings {
  case_replies: boolean;
  new_unassigned: boolean;
  /** null: not offered to this user (agents are never asked to approve above the limit). */
  supervisor_approvals: boolean | null;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (init.body) headers.set('Content-Type', 'application/json');
  const response = await authFetch(new Request(`${ORIGIN}${path}`, { ...init, headers }));
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status === 599 ? 0 : response.status, body);
  return body as T;
}

/** A route this server does not have (the feature is not in this build or switched off). */
export function isMissing(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405);
}

async function orNull<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

export function listOutbox(query: {
  state?: OutboxState;
  channel?: string;
  cursor?: string;
  limit?: number;
}): Promise<OutboxPage | null> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return orNull(call<OutboxPage>(`${API_BASE}/outbox${qs ? `?${qs}` : ''}`));
}

export function retryOutboxItem(id: OutboxItem['id']): Promise<OutboxItem> {
  return call<OutboxItem>(`${API_BASE}/outbox/${encodeURIComponent(String(id))}/retry`, {
    method: 'POST',
  });
}

export async function listCaughtMail(to?: string): Promise<CaughtMail[] | null> {
  const qs = to ? `?to=${encodeURIComponent(to)}` : '';
  const page = await orNull(call<{ items: CaughtMail[] }>(`/sim/mail/messages${qs}`));
  return page ? page.items : null;
}

export function getNotificationSettings(): Promise<NotificationSettings | null> {
  return orNull(call<NotificationSettings>(`${API_BASE}/me/notification-settings`));
}

export function patchNotificationSettings(
  change: Partial<NotificationSettings>,
): Promise<NotificationSettings> {
  return call<NotificationSettings>(`${API_BASE}/me/notification-settings`, {
    method: 'PATCH',
    body: JSON.stringify(change),
  });
}
