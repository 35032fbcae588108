import { api, ifMatch, unwrap } from './http';
import type { ReasonCode, ReasonCodeChange, ReasonCodeInput } from './types';

/** The reasons offered for refunds and settlements, in the list's order; admins may ask
 * for the deactivated ones too. The list is short and answered whole (one page). */
export async function listReasonCodes(includeInactive = false): Promise<ReasonCode[]> {
  const answer = await unwrap(
    api.GET('/api/v1/reason-codes', {
      params: { query: includeInactive ? { include_inactive: 'true' } : {} },
    }),
  );
  return answer.items;
}

export function createReasonCode(body: ReasonCodeInput): Promise<ReasonCode> {
  return unwrap(api.POST('/api/v1/reason-codes', { body }));
}

export function updateReasonCode(
  code: string,
  body: ReasonCodeChange,
  version?: number,
): Promise<ReasonCode> {
  return unwrap(
    api.PATCH('/api/v1/reason-codes/{code}', {
      params: { path: { code } },
      body,
      headers: ifMatch(version),
    }),
  );
}
