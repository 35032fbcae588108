/**
 * The live-update stream (GET /api/v1/events/stream, server-sent events). EventSource cannot
 * send an Authorization header and tokens never go in URLs, so the stream is read with
 * fetch (@microsoft/fetch-event-source), which also resends `Last-Event-ID` when it
 * reconnects: a dropped connection resumes after the last event it delivered.
 */
import { EventStreamContentType, fetchEventSource } from '@microsoft/fetch-event-source';
import { API_BASE, refreshTokens } from './http';
import { tokens } from './tokens';

/**
 * The `data:` of one stream event (the backend's LiveEventData). Written out here: the
 * OpenAPI document describes the stream's events, whose `data` is this as JSON text.
 */
export interface LiveEvent {
  seq: number;
  type: string;
  entity: string;
  entity_id: string;
  case_id: string;
  version: number | null;
  at: string;
  from_status?: string | null;
  to_status?: string | null;
  actor_id: string;
  actor_role: string;
  /** Given to staff; customers are told "Support". */
  actor_name?: string | null;
}

type LiveListener = (event: LiveEvent) => void;
const listeners = new Set<LiveListener>();

/** Every event the app's one stream receives, for parts of a page that care (an open form). */
export function onLiveEvent(listener: LiveListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function publishLiveEvent(event: LiveEvent): void {
  listeners.forEach((l) => l(event));
}

class RetryLater extends Error {}
class StopStream extends Error {}

const ORIGIN = globalThis.location?.origin ?? '';
const MAX_RETRY_MS = 30_000;

/**
 * Opens the stream until `signal` aborts; reconnects with back-off after a drop (the server
 * also ends a stream whose sign-in expired: the token is refreshed and the stream resumes).
 * Gives up only when the session has ended.
 */
export function openLiveStream(onEvent: LiveListener, signal: AbortSignal): Promise<void> {
  let failures = 0;
  return fetchEventSource(`${ORIGIN}${API_BASE}/events/stream`, {
    signal,
    openWhenHidden: true,
    // The token is read at each (re)connect: it is refreshed while the stream is open.
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      if (tokens.accessToken) headers.set('Authorization', `Bearer ${tokens.accessToken}`);
      return fetch(input, { ...init, headers });
    },
    async onopen(response) {
      const type = response.headers.get('content-type') ?? '';
      if (response.ok && type.startsWith(EventStreamContentType)) {
        failures = 0;
        return;
      }
      if (response.status === 401) {
        if (await refreshTokens()) throw new RetryLater('signed in again');
        throw new StopStream('session ended');
      }
      if (response.status === 403 || response.status === 404) throw new StopStream('no stream');
      throw new RetryLater(`stream answered ${response.status}`);
    },
    onmessage(message) {
      if (!message.data) return;
      try {
        onEvent(JSON.parse(message.data) as LiveEvent);
      } catch {
        /* a line this app does not understand: the next refetch shows the truth anyway */
      }
    },
    onclose() {
      // The server ended the stream (a sign-in that expired, a restart): come back.
      throw new RetryLater('closed');
    },
    onerror(error) {
      if (error instanceof StopStream) throw error;
      failures += 1;
      return Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(failures, 5));
    },
  }).catch((error: unknown) => {
    if (!(error instanceof StopStream)) throw error;
  });
}
