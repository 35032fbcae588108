import { ApiError } from './http';

/**
 * Idempotency keys for requests a person may send again after the answer was lost.
 *
 * The same request (same content) gets the same key until the server has answered it, so
 * a second click after a dropped connection replays the first answer instead of opening a
 * second case. Once the server answered for good (a success or a refusal), the key is
 * dropped: sending the same words again later is a new request. A 5xx, a network failure
 * and "request in progress" keep the key, because the first attempt may still count.
 */
export class RetryKeys {
  private readonly keys = new Map<string, string>();

  constructor(private readonly newKey: () => string = randomKey) {}

  keyFor(request: unknown): string {
    const content = JSON.stringify(request);
    let key = this.keys.get(content);
    if (key === undefined) {
      key = this.newKey();
      this.keys.set(content, key);
    }
    return key;
  }

  settle(request: unknown, error?: unknown): void {
    if (error !== undefined && mayStillCount(error)) return;
    this.keys.delete(JSON.stringify(request));
  }
}

// crypto.randomUUID exists only on https or localhost; getRandomValues works everywhere.
function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `ui-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function mayStillCount(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status >= 500 || error.code === 'request_in_progress';
}
