import type { FilterValues } from '@/hooks/useUrlFilters';
import type {
  CaseListQuery,
  CaseStatus,
  Category,
  Priority,
  RefundListQuery,
  RefundStatus,
} from '@/services/types';
import type { SlaStatus } from '@/components/support/slaWords';

export const CASE_FILTERS = {
  scope: 'cases',
  multi: ['status'],
  single: [
    'priority',
    'category',
    'assignee_id',
    'customer_id',
    'order_id',
    'q',
    'created_after',
    'created_before',
    'sla_status',
    'sort',
  ],
} as const;
export type CaseFilterKey =
  (typeof CASE_FILTERS.multi)[number] | (typeof CASE_FILTERS.single)[number];

export const REFUND_FILTERS = {
  scope: 'refunds',
  multi: ['status'],
  single: [
    'q',
    'order_id',
    'customer_id',
    'support_case_id',
    'created_after',
    'created_before',
    'sort',
  ],
} as const;
export type RefundFilterKey =
  (typeof REFUND_FILTERS.multi)[number] | (typeof REFUND_FILTERS.single)[number];

const one = (v: string | string[] | undefined) => (typeof v === 'string' && v ? v : undefined);
const many = (v: string | string[] | undefined) => (Array.isArray(v) && v.length ? v : undefined);

/** A date picked as YYYY-MM-DD covers that whole day, in UTC. */
export function dayStart(d: string | undefined) {
  return d ? `${d}T00:00:00Z` : undefined;
}
export function dayEnd(d: string | undefined) {
  return d ? `${d}T23:59:59.999Z` : undefined;
}

/** `assignee_id` may be `me` (the caller) or `none` (nobody's): the server reads both. */
export function caseQuery(v: FilterValues<CaseFilterKey>): CaseListQuery {
  return {
    status: many(v.status) as CaseStatus[] | undefined,
    priority: one(v.priority) as Priority | undefined,
    category: one(v.category) as Category | undefined,
    assignee_id: one(v.assignee_id),
    customer_id: one(v.customer_id),
    order_id: one(v.order_id),
    q: one(v.q),
    created_after: dayStart(one(v.created_after)),
    created_before: dayEnd(one(v.created_before)),
    sla_status: one(v.sla_status) ? [one(v.sla_status) as SlaStatus] : undefined,
    sort: one(v.sort) ?? '-created_at',
    limit: 25,
  };
}

export function refundQuery(v: FilterValues<RefundFilterKey>): RefundListQuery {
  return {
    status: many(v.status) as RefundStatus[] | undefined,
    order_id: one(v.order_id),
    customer_id: one(v.customer_id),
    support_case_id: one(v.support_case_id),
    q: one(v.q),
    created_after: dayStart(one(v.created_after)),
    created_before: dayEnd(one(v.created_before)),
    sort: one(v.sort) ?? '-created_at',
    limit: 25,
  };
}
