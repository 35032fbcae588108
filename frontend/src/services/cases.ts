import { api, ifMatch, unwrap } from './http';
import type {
  CaseCreate,
  CaseEvent,
  CaseListQuery,
  CasePatch,
  Message,
  PageOf,
  Quote,
  Refund,
  RefundRequest,
  SupportCase,
} from './types';

export function listCases(query: CaseListQuery): Promise<PageOf<SupportCase>> {
  return unwrap(api.GET('/api/v1/support-cases', { params: { query } }));
}

export function getCase(caseId: string): Promise<SupportCase> {
  return unwrap(
    api.GET('/api/v1/support-cases/{case_id}', { params: { path: { case_id: caseId } } }),
  );
}

export function createCase(body: CaseCreate): Promise<SupportCase> {
  return unwrap(api.POST('/api/v1/support-cases', { body }));
}

export function patchCase(caseId: string, body: CasePatch, version?: number): Promise<SupportCase> {
  return unwrap(
    api.PATCH('/api/v1/support-cases/{case_id}', {
      params: { path: { case_id: caseId } },
      body,
      headers: ifMatch(version),
    }),
  );
}

export async function listMessages(caseId: string): Promise<Message[]> {
  const all: Message[] = [];
  let cursor: string | undefined;
  // Conversations are short; read them whole so the thread is never cut in the middle.
  for (let page = 0; page < 20; page++) {
    const res = await unwrap(
      api.GET('/api/v1/support-cases/{case_id}/messages', {
        params: { path: { case_id: caseId }, query: { limit: 100, cursor } },
      }),
    );
    all.push(...res.items);
    if (!res.next_cursor) break;
    cursor = res.next_cursor;
  }
  return all;
}

export function postMessage(caseId: string, body: string, internal = false): Promise<Message> {
  return unwrap(
    api.POST('/api/v1/support-cases/{case_id}/messages', {
      params: { path: { case_id: caseId } },
      body: { body, internal },
    }),
  );
}

export function caseHistory(caseId: string): Promise<CaseEvent[]> {
  return unwrap(
    api.GET('/api/v1/support-cases/{case_id}/history', { params: { path: { case_id: caseId } } }),
  );
}

export function requestRefund(caseId: string, body: RefundRequest): Promise<Refund> {
  return unwrap(
    api.POST('/api/v1/support-cases/{case_id}/refunds', {
      params: { path: { case_id: caseId } },
      body,
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
