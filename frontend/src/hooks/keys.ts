/** Query keys, one factory per resource, so invalidation reads like the data it refreshes. */
import type { CaseListQuery, RefundListQuery } from '@/services/types';

export const keys = {
  me: ['me'] as const,
  orders: {
    all: ['orders'] as const,
    list: () => ['orders', 'list'] as const,
    detail: (id: string) => ['orders', 'detail', id] as const,
  },
  cases: {
    all: ['cases'] as const,
    list: (q: CaseListQuery) => ['cases', 'list', q] as const,
    detail: (id: string) => ['cases', 'detail', id] as const,
    messages: (id: string) => ['cases', 'messages', id] as const,
    history: (id: string) => ['cases', 'history', id] as const,
    attachments: (id: string) => ['cases', 'attachments', id] as const,
  },
  /** A file's bytes: they never change, so they are fetched once per page visit. */
  attachmentBytes: (id: string) => ['attachment-bytes', id] as const,
  refunds: {
    all: ['refunds'] as const,
    list: (q: RefundListQuery) => ['refunds', 'list', q] as const,
    detail: (id: string) => ['refunds', 'detail', id] as const,
    history: (id: string) => ['refunds', 'history', id] as const,
  },
  customers: {
    all: ['customers'] as const,
    detail: (id: string) => ['customers', 'detail', id] as const,
  },
  stats: ['stats'] as const,
  cannedReplies: ['canned-replies'] as const,
  reasonCodesAll: ['reason-codes'] as const,
  reasonCodes: (includeInactive: boolean) => ['reason-codes', includeInactive] as const,
  refundPolicy: {
    all: ['refund-policy'] as const,
    current: () => ['refund-policy', 'current'] as const,
    versions: () => ['refund-policy', 'versions'] as const,
  },
  staff: ['staff'] as const,
  users: ['users'] as const,
  outbox: {
    all: ['outbox'] as const,
    list: (q: { state?: string; channel?: string }) => ['outbox', 'list', q] as const,
  },
  webhooks: {
    all: ['webhooks'] as const,
    list: () => ['webhooks', 'list'] as const,
    detail: (id: string) => ['webhooks', 'detail', id] as const,
    deliveries: (id: string) => ['webhooks', 'deliveries', id] as const,
  },
  caughtMail: (to?: string) => ['caught-mail', to ?? ''] as const,
  notificationSettings: ['notification-settings'] as const,
};
