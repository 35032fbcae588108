import {
  useInfiniteQuery,
  useIsMutating,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useState } from 'react';
import {
  bulkChangeCases,
  caseHistory,
  createCase,
  getCase,
  listCases,
  listMessages,
  patchCase,
  postMessage,
  requestRefund,
} from '@/services/cases';
import { RetryKeys } from '@/services/retryKeys';
import type {
  BulkChanges,
  CaseCreate,
  CaseListQuery,
  CasePatch,
  AmountRefund,
  RefundRequest,
  SupportCase,
} from '@/services/types';
import { keys } from './keys';

export function useCaseList(query: CaseListQuery) {
  return useInfiniteQuery({
    queryKey: keys.cases.list(query),
    queryFn: ({ pageParam }) => listCases({ ...query, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCase(caseId: string | undefined) {
  return useQuery({
    queryKey: keys.cases.detail(caseId ?? ''),
    queryFn: () => getCase(caseId!),
    enabled: !!caseId,
  });
}

export function useCaseMessages(caseId: string | undefined) {
  return useQuery({
    queryKey: keys.cases.messages(caseId ?? ''),
    queryFn: () => listMessages(caseId!),
    enabled: !!caseId,
  });
}

export function useCaseHistory(caseId: string | undefined) {
  return useQuery({
    queryKey: keys.cases.history(caseId ?? ''),
    queryFn: () => caseHistory(caseId!),
    enabled: !!caseId,
  });
}

export function useCreateCase() {
  const qc = useQueryClient();
  const [retryKeys] = useState(() => new RetryKeys());
  return useMutation({
    mutationFn: (body: CaseCreate) => createCase(body, retryKeys.keyFor(body)),
    onSettled: (_data, error, body) => retryKeys.settle(body, error ?? undefined),
    onSuccess: (created) => {
      qc.setQueryData(keys.cases.detail(created.id), created);
      void qc.invalidateQueries({ queryKey: keys.cases.all });
      void qc.invalidateQueries({ queryKey: keys.customers.all });
    },
  });
}

/** Anything that changes a case touches its detail, its history and every list. */
function useCaseRefresh() {
  const qc = useQueryClient();
  // Resolves once the case itself is fresh again: its version moves with every change
  // (a message too), and the next write sends that version as If-Match.
  return async (caseId: string, updated?: SupportCase) => {
    if (updated) qc.setQueryData(keys.cases.detail(caseId), updated);
    void qc.invalidateQueries({ queryKey: keys.stats });
    await qc.invalidateQueries({ queryKey: keys.cases.all });
  };
}

/** Writes on one case share a key, so its page can hold other changes while one is saved. */
const caseWriteKey = (caseId: string) => ['case-write', caseId];

/** Whether a write on this case (a change or a message) is being saved or reloaded. */
export function useCaseWriting(caseId: string | undefined) {
  return useIsMutating({ mutationKey: caseWriteKey(caseId ?? '') }) > 0;
}

export function usePatchCase(caseId: string) {
  const refresh = useCaseRefresh();
  return useMutation({
    mutationKey: caseWriteKey(caseId),
    mutationFn: ({ patch, version }: { patch: CasePatch; version?: number }) =>
      patchCase(caseId, patch, version),
    onSuccess: (updated) => refresh(caseId, updated),
  });
}

export function usePostMessage(caseId: string) {
  const refresh = useCaseRefresh();
  const [retryKeys] = useState(() => new RetryKeys());
  return useMutation({
    mutationKey: caseWriteKey(caseId),
    mutationFn: ({
      body,
      internal,
      attachment_ids = [],
    }: {
      body: string;
      internal?: boolean;
      attachment_ids?: string[];
    }) =>
      postMessage(
        caseId,
        body,
        internal,
        retryKeys.keyFor({ caseId, body, internal, attachment_ids }),
        attachment_ids,
      ),
    onSettled: (_data, error, { body, internal, attachment_ids = [] }) =>
      retryKeys.settle({ caseId, body, internal, attachment_ids }, error ?? undefined),
    onSuccess: () => refresh(caseId),
  });
}

export function useRequestRefund(caseId: string) {
  const qc = useQueryClient();
  const refresh = useCaseRefresh();
  return useMutation({
    mutationFn: (body: RefundRequest | AmountRefund) => requestRefund(caseId, body),
    onSuccess: async (refund) => {
      qc.setQueryData(keys.refunds.detail(refund.id), refund);
      void qc.invalidateQueries({ queryKey: keys.refunds.all });
      void qc.invalidateQueries({ queryKey: keys.orders.all });
      await refresh(caseId);
    },
  });
}

/** One change to many cases; the rows that changed refresh every list. */
export function useBulkChangeCases() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, changes }: { ids: string[]; changes: BulkChanges }) =>
      bulkChangeCases(ids, changes),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.stats });
      return qc.invalidateQueries({ queryKey: keys.cases.all });
    },
  });
}

/** "Assign to me" in one click: the case as the list showed it, without If-Match (taking
 * a case does not depend on what else changed on it). */
export function useAssignToMe() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ caseId, meId }: { caseId: string; meId: string }) =>
      patchCase(caseId, { assignee_id: meId }),
    onSuccess: (updated) => {
      qc.setQueryData(keys.cases.detail(updated.id), updated);
      return qc.invalidateQueries({ queryKey: keys.cases.all });
    },
  });
}
