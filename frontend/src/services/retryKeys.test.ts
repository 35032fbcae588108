import { describe, expect, it } from 'vitest';
import { ApiError } from './http';
import { RetryKeys } from './retryKeys';

function counting() {
  let n = 0;
  return new RetryKeys(() => `key-${++n}`);
}

describe('idempotency keys for requests sent again', () => {
  it('makes random keys without needing a secure context', () => {
    const keys = new RetryKeys();
    expect(keys.keyFor('a')).toMatch(/^ui-[0-9a-f]{32}$/);
    expect(keys.keyFor('b')).not.toBe(keys.keyFor('a'));
  });

  it('gives the same request the same key until it is answered', () => {
    const keys = counting();
    const body = { order_id: 'ORD-1001', subject: 'Cracked' };

    expect(keys.keyFor(body)).toBe('key-1');
    expect(keys.keyFor({ ...body })).toBe('key-1');
    expect(keys.keyFor({ ...body, subject: 'Other' })).toBe('key-2');
  });

  it('keeps the key when the answer was lost or the server failed', () => {
    const keys = counting();
    const body = { body: 'Any news?' };
    keys.keyFor(body);

    keys.settle(body, new ApiError({ status: 0, detail: 'network' }));
    keys.settle(body, new ApiError({ status: 503, code: 'upstream_unavailable' }));
    keys.settle(body, new ApiError({ status: 409, code: 'request_in_progress' }));
    keys.settle(body, new TypeError('Failed to fetch'));

    expect(keys.keyFor(body)).toBe('key-1');
  });

  it('starts a new key once the server answered for good', () => {
    const keys = counting();
    const body = { body: 'Thanks' };
    keys.keyFor(body);
    keys.settle(body);
    expect(keys.keyFor(body)).toBe('key-2');

    keys.settle(body, new ApiError({ status: 409, code: 'invalid_transition' }));
    expect(keys.keyFor(body)).toBe('key-3');
  });
});
