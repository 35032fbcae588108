import { api, ifMatch, unwrap } from './http';
import type {
  BulkChanges,
  BulkRow,
  CaseCreate,
  CaseEvent,
  CaseListQuery,
  CasePatch,
  Message,
  PageOf,
  Quote,
  Refund,
  AmountRefund,
  RefundRequest,
  SupportCase,
} from './types';

export function listCases(query: CaseListQuery): Promise<PageOf<SupportCase>> {
  return unwrap(api.GET('/api/v1/support-cases', { params: { query } }));
}

/** The filtered cases, every page, as CSV. */
export async function exportCasesCsv(query: CaseListQuery): Promise<Blob> {
  const filters = { ...query };
  delete filters.limit;
  delete filters.cursor;
  return unwrap(
    api.GET('/api/v1/support-cases/export.csv', { params: { query: filters }, parseAs: 'blob' }),
  ) as Promise<Blob>;
}

export function getCase(caseId: string): Promise<SupportCase> {
  return unwrap(
    api.GET('/api/v1/support-cases/{case_id}', { params: { path: { case_id: caseId } } }),
  );
}

/** `idempotencyKey`: the same key for a retry of the same case, so it is opened once. */
export function createCase(body: CaseCreate, idempotencyKey?: string): Promise<SupportCase> {
  return unwrap(
    api.POST('/api/v1/support-cases', {
      body,
      headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
    }),
  );
}

export function patchCase(caseId: string, body: CasePatch, version?: number): Promise<SupportCase> {
  return unwrap(
    api.PATCH('/api/v1/support-cases/{case_id}', {
      params: { path: { case_id: caseId } },
      // A note staff write is for staff unless the form says the customer may read it.
      body: { note_public: false, ...body },
      headers: ifMatch(version),
    }),
  );
}

export function listMessages(caseId: string): Promise<Message[]> {
  return unwrap(
    api.GET('/api/v1/support-cases/{case_id}/messages', { params: { path: { case_id: caseId } } }),
  );
}

export function postMessage(
  caseId: string,
  body: string,
  internal = false,
  idempotencyKey?: string,
  attachmentIds: string[] = [],
): Promise<Message> {
  return unwrap(
    api.POST('/api/v1/support-cases/{case_id}/messages', {
      params: { path: { case_id: caseId } },
      body: { body, internal, attachment_ids: attachmentIds },
      headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
    }),
  );
}

export function caseHistory(caseId: string): Promise<CaseEvent[]> {
  return unwrap(
    api.GET('/api/v1/support-cases/{case_id}/history', { params: { path: { case_id: caseId } } }),
  );
}

export function requestRefund(caseId: string, body: RefundRequest | AmountRefund): Promise<Refund> {
  return unwrap(
    api.POST('/api/v1/support-cases/{case_id}/refunds', {
      params: { path: { case_id: caseId } },
      body:
        body.kind === 'amount'
          ? { attachment_ids: [], ...body }
          : { attachment_ids: [], ...body, kind: 'units' },
    }),
  );
}

export function quoteRefund(
  caseId: string,
  body: RefundRequest,
  signal?: AbortSignal,
): Promise<Quote> {
  return unwrap(
    api.POST('/api/v1/support-cases/{case_id}/refunds/quote', {
      params: { path: { case_id: caseId } },
      body,
      signal,
    }),
  );
}

/** One change to many cases; each row says whether it was made, and why not. */
export function bulkChangeCases(ids: string[], changes: BulkChanges): Promise<BulkRow[]> {
  return unwrap(api.POST('/api/v1/support-cases/bulk', { body: { ids, changes } })).then(
    (answer) => answer.results,
  );
}
