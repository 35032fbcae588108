/**
 * One live-update stream per signed-in user (opened by the app layout): each event refreshes
 * the queries that show the changed case or refund, says in a toast what someone else did,
 * and reaches open forms through `onLiveEvent` (see useChangedByOthers).
 */
import { notifications } from '@mantine/notifications';
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { label } from '@/services/format';
import { onLiveEvent, openLiveStream, publishLiveEvent, type LiveEvent } from '@/services/live';
import type { Me, SupportCase } from '@/services/types';
import { isStaff } from '@/services/types';
import { keys } from './keys';

/**
 * The queries an event makes stale. Lists are refreshed by prefix (any filter or page may
 * hold the row); a refund's change also shows on its case (status, refund list, history).
 */
export function queriesFor(event: LiveEvent): QueryKey[] {
  const onCase: QueryKey[] = [
    keys.cases.detail(event.case_id),
    keys.cases.messages(event.case_id),
    keys.cases.history(event.case_id),
    [...keys.cases.all, 'list'],
    keys.stats,
  ];
  if (event.entity !== 'refund') return onCase;
  return [
    keys.refunds.detail(event.entity_id),
    keys.refunds.history(event.entity_id),
    [...keys.refunds.all, 'list'],
    // Refunded quantities change what an order may still refund.
    keys.orders.all,
    ...onCase,
  ];
}

// A refund's moves, as "<who> <verb> a refund"; the gateway's outcomes have no "who".
const REFUND_MOVES: Record<string, string> = {
  refund_requested: 'requested',
  refund_approved: 'approved',
  refund_rejected: 'rejected',
  refund_cancelled: 'cancelled',
  refund_settled: 'settled',
};
const REFUND_OUTCOMES: Record<string, string> = {
  refund_succeeded: 'paid out',
  refund_failed: 'failed',
  refund_reversed: 'came back from the bank',
};

/** Who did it, in words the reader may be told: staff see names, customers "Support". */
export function whoDid(event: LiveEvent): string {
  if (event.actor_name) return event.actor_name;
  if (event.actor_role === 'customer') return 'The customer';
  // A customer's feed names the system `automatic` and staff `support_team` (no ids).
  if (event.actor_id === 'system' || event.actor_role === 'automatic') return 'The system';
  return 'Support';
}

/**
 * The toast for a change, or null: nothing for one's own changes (the page that made them
 * already says so). `subject` is the case's subject when the app has it at hand.
 */
export function toastFor(
  event: LiveEvent,
  me: Pick<Me, 'id' | 'role'>,
  subject?: string,
): { title: string; message: string } | null {
  if (event.actor_id === me.id) return null;
  const who = whoDid(event);
  const where = subject ? `case “${subject}”` : isStaff(me.role) ? 'a case' : 'your case';
  switch (event.type) {
    case 'message_added':
      return { title: `${who} replied`, message: `${who} replied on ${where}.` };
    case 'internal_note_added':
      return { title: 'Internal note', message: `${who} added an internal note on ${where}.` };
    case 'case_opened':
      return { title: 'New case', message: `${who} opened ${subject ? where : 'a case'}.` };
    case 'status_changed':
      return {
        title: 'Case updated',
        message: `${who} moved ${where} to ${label(event.to_status ?? 'a new status')}.`,
      };
    default:
      if (event.type in REFUND_MOVES) {
        const verb = REFUND_MOVES[event.type] ?? '';
        return { title: `Refund ${verb}`, message: `${who} ${verb} a refund on ${where}.` };
      }
      if (event.type in REFUND_OUTCOMES) {
        const outcome = REFUND_OUTCOMES[event.type] ?? '';
        return { title: `Refund ${outcome}`, message: `A refund on ${where} ${outcome}.` };
      }
      return { title: 'Case updated', message: `${who} updated ${where}.` };
  }
}

function subjectOf(qc: QueryClient, caseId: string): string | undefined {
  return qc.getQueryData<SupportCase>(keys.cases.detail(caseId))?.subject;
}

export function useLiveUpdates(me: Pick<Me, 'id' | 'role'>): void {
  const qc = useQueryClient();
  const { id, role } = me;
  useEffect(() => {
    const stop = new AbortController();
    void openLiveStream((event) => {
      for (const queryKey of queriesFor(event)) void qc.invalidateQueries({ queryKey });
      const toast = toastFor(event, { id, role }, subjectOf(qc, event.case_id));
      if (toast) {
        notifications.show({
          id: `live-${event.seq}`,
          title: toast.title,
          message: toast.message,
          autoClose: 6000,
          // Away from the header's account menu and the pages' own confirmations.
          position: 'bottom-right',
        });
      }
      publishLiveEvent(event);
    }, stop.signal).catch(() => {
      /* the stream is a convenience: pages still load and refresh without it */
    });
    return () => stop.abort();
  }, [qc, id, role]);
}

/**
 * The latest change of a case by someone other than `meId` while `editing` is true, and a
 * way to dismiss it (after a reload); null again once editing stops. A form shows it as
 * "changed by … — reload to see".
 */
export function useChangedByOthers(
  caseId: string,
  meId: string,
  editing: boolean,
): { change: LiveEvent | null; dismiss: () => void } {
  const [change, setChange] = useState<LiveEvent | null>(null);
  useEffect(() => {
    if (!editing) return;
    const off = onLiveEvent((event) => {
      if (event.case_id === caseId && event.actor_id !== meId) setChange(event);
    });
    return () => {
      off();
      setChange(null);
    };
  }, [caseId, meId, editing]);
  return { change: editing ? change : null, dismiss: () => setChange(null) };
}
