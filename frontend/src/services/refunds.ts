import { api, ifMatch, unwrap } from './http';
import type { CaseEvent, PageOf, Refund, RefundListQuery, Settlement } from './types';

export function listRefunds(query: RefundListQuery): Promise<PageOf<Refund>> {
  return unwrap(api.GET('/api/v1/refunds', { params: { query } }));
}

export function getRefund(refundId: string): Promise<Refund> {
  return unwrap(
    api.GET('/api/v1/refunds/{refund_id}', { params: { path: { refund_id: refundId } } }),
  );
}

export function refundHistory(refundId: string): Promise<CaseEvent[]> {
  return unwrap(
    api.GET('/api/v1/refunds/{refund_id}/history', { params: { path: { refund_id: refundId } } }),
  );
}

const path = (refundId: string) => ({ path: { refund_id: refundId } });

export function approveRefund(
  refundId: string,
  version?: number,
  note?: string,
  restock?: boolean,
): Promise<Refund> {
  return unwrap(
    api.POST('/api/v1/refunds/{refund_id}/approve', {
      params: path(refundId),
      // An approval note is for staff: the customer sees the approval, not the words.
      body: {
        note_public: false,
        ...(note ? { note } : {}),
        ...(restock === undefined ? {} : { restock }),
      },
      headers: ifMatch(version),
    }),
  );
}

export function rejectRefund(refundId: string, reason: string, version?: number): Promise<Refund> {
  return unwrap(
    api.POST('/api/v1/refunds/{refund_id}/reject', {
      params: path(refundId),
      body: { reason },
      headers: ifMatch(version),
    }),
  );
}

export function cancelRefund(refundId: string, version?: number): Promise<Refund> {
  return unwrap(
    api.POST('/api/v1/refunds/{refund_id}/cancel', {
      params: path(refundId),
      headers: ifMatch(version),
    }),
  );
}

/**
 * Asks the gateway to pay the refund. The key is per refund and attempt, so a retried click
 * or a lost answer never pays twice.
 */
export function executeRefund(refund: Pick<Refund, 'id' | 'attempt' | 'version'>): Promise<Refund> {
  return unwrap(
    api.POST('/api/v1/refunds/{refund_id}/execute', {
      params: path(refund.id),
      headers: { 'Idempotency-Key': `ui-${refund.id}-${refund.attempt + 1}` },
    }),
  );
}

export function settleRefund(
  refundId: string,
  body: Settlement,
  version?: number,
): Promise<Refund> {
  return unwrap(
    api.POST('/api/v1/refunds/{refund_id}/settlement', {
      params: path(refundId),
      body,
      headers: ifMatch(version),
    }),
  );
}

/** The refunds matching a filter as a CSV file, for bookkeeping. */
export async function exportRefundsCsv(query: RefundListQuery): Promise<Blob> {
  const filters = { ...query };
  delete filters.limit;
  delete filters.cursor;
  return unwrap(
    api.GET('/api/v1/refunds/export.csv', { params: { query: filters }, parseAs: 'blob' }),
  ) as Promise<Blob>;
}
