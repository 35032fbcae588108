import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { publishLiveEvent, type LiveEvent } from '@/services/live';
import { queriesFor, toastFor, useChangedByOthers, whoDid } from './useLiveUpdates';
import { keys } from './keys';

const BOB = { id: 'usr_bob', role: 'agent' as const };
const ALICE = { id: 'usr_alice', role: 'customer' as const };

function event(overrides: Partial<LiveEvent> = {}): LiveEvent {
  return {
    seq: 7,
    type: 'message_added',
    entity: 'support_case',
    entity_id: 'case_1',
    case_id: 'case_1',
    version: 3,
    at: '2026-12-01T10:00:00Z',
    actor_id: 'usr_alice',
    actor_role: 'customer',
    actor_name: 'Alice Martin',
    ...overrides,
  };
}

describe('queriesFor', () => {
  it('refreshes the changed case, its conversation, history and every case list', () => {
    const stale = queriesFor(event());
    expect(stale).toEqual(
      expect.arrayContaining([
        keys.cases.detail('case_1'),
        keys.cases.messages('case_1'),
        keys.cases.history('case_1'),
        ['cases', 'list'],
      ]),
    );
    expect(stale).not.toContainEqual(['refunds', 'list']);
  });

  it('refreshes a changed refund, refund lists, its case and the orders it refunds', () => {
    const stale = queriesFor(
      event({ type: 'refund_approved', entity: 'refund', entity_id: 'ref_9' }),
    );
    expect(stale).toEqual(
      expect.arrayContaining([
        keys.refunds.detail('ref_9'),
        keys.refunds.history('ref_9'),
        ['refunds', 'list'],
        keys.cases.detail('case_1'),
        keys.orders.all,
      ]),
    );
  });

  it('list prefixes match the lists of any filter', () => {
    const list = keys.cases.list({ status: ['open'] } as never);
    const prefix = queriesFor(event()).find((k) => k.length === 2 && k[1] === 'list');
    expect(list.slice(0, 2)).toEqual(prefix);
  });
});

describe('toastFor', () => {
  it('tells staff who replied on which case', () => {
    expect(toastFor(event(), BOB, 'Broken headphones')).toEqual({
      title: 'Alice Martin replied',
      message: 'Alice Martin replied on case “Broken headphones”.',
    });
  });

  it('says nothing about one’s own changes', () => {
    expect(toastFor(event({ actor_id: 'usr_bob' }), BOB)).toBeNull();
  });

  it('tells a customer that support replied, without a staff name', () => {
    const reply = event({ actor_id: 'usr_bob', actor_role: 'agent', actor_name: null });
    expect(toastFor(reply, ALICE)?.message).toBe('Support replied on your case.');
  });

  it('names a refund decision', () => {
    const approved = event({
      type: 'refund_approved',
      entity: 'refund',
      entity_id: 'ref_1',
      actor_id: 'usr_sam',
      actor_role: 'supervisor',
      actor_name: null,
    });
    expect(toastFor(approved, ALICE, 'Mug')).toEqual({
      title: 'Refund approved',
      message: 'Support approved a refund on case “Mug”.',
    });
  });

  it('says a status move in words', () => {
    const moved = event({ type: 'status_changed', to_status: 'waiting_on_customer' });
    expect(toastFor(moved, BOB)?.message).toMatch(/moved a case to Waiting on customer/i);
  });
});

describe('whoDid', () => {
  it('falls back to the role when no name may be told', () => {
    expect(whoDid(event({ actor_name: null }))).toBe('The customer');
    expect(whoDid(event({ actor_name: null, actor_role: 'admin', actor_id: 'system' }))).toBe(
      'The system',
    );
  });
});

describe('useChangedByOthers', () => {
  it('reports another person’s change of the case only while editing', () => {
    const { result, rerender } = renderHook(
      ({ editing }) => useChangedByOthers('case_1', 'usr_bob', editing),
      { initialProps: { editing: false } },
    );
    act(() => publishLiveEvent(event()));
    expect(result.current.change).toBeNull();

    rerender({ editing: true });
    act(() => publishLiveEvent(event({ actor_id: 'usr_bob' })));
    act(() => publishLiveEvent(event({ case_id: 'case_2' })));
    expect(result.current.change).toBeNull();

    act(() => publishLiveEvent(event({ seq: 9 })));
    expect(result.current.change?.seq).toBe(9);

    act(() => result.current.dismiss());
    expect(result.current.change).toBeNull();

    act(() => publishLiveEvent(event({ seq: 10 })));
    rerender({ editing: false });
    expect(result.current.change).toBeNull();
  });
});
