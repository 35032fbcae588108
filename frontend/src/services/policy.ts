import { api, ifMatch, unwrap } from './http';
import type { DryRun, PolicyPublish, PolicyRules, RefundPolicy } from './types';

/** The refund policy in force (staff). */
export function getRefundPolicy(): Promise<RefundPolicy> {
  return unwrap(api.GET('/api/v1/refund-policy'));
}

/** Every version, newest first; the list is short and answered whole. */
export async function listPolicyVersions(): Promise<RefundPolicy[]> {
  return (await unwrap(api.GET('/api/v1/refund-policy/versions'))).items;
}

/** What the last 30 days' decisions would have been under a draft (admins); stores nothing. */
export function dryRunPolicy(rules: PolicyRules): Promise<DryRun> {
  return unwrap(api.POST('/api/v1/refund-policy/dry-run', { body: rules }));
}

/** Publishes a draft as the next version, refused (409) if `basedOn` is no longer in force. */
export function publishPolicy(body: PolicyPublish, basedOn: number): Promise<RefundPolicy> {
  return unwrap(api.POST('/api/v1/refund-policy', { body, headers: ifMatch(basedOn) }));
}
