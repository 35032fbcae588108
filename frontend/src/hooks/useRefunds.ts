import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  approveRefund,
  cancelRefund,
  executeRefund,
  getRefund,
  listRefunds,
  refundHistory,
  rejectRefund,
  settleRefund,
} from '@/services/refunds';
import type { Refund, RefundListQuery, RefundStep } from '@/services/types';
import { keys } from './keys';

export function useRefundList(query: RefundListQuery) {
  return useInfiniteQuery({
    queryKey: keys.refunds.list(query),
    queryFn: ({ pageParam }) => listRefunds({ ...query, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useRefund(refundId: string | undefined) {
  return useQuery({
    queryKey: keys.refunds.detail(refundId ?? ''),
    queryFn: () => getRefund(refundId!),
    enabled: !!refundId,
    // While the gateway's answer is pending, look again every two seconds.
    refetchInterval: (q) => (q.state.data?.status === 'processing' ? 2000 : false),
  });
}

export function useRefundHistory(refundId: string | undefined, status?: string) {
  return useQuery({
    queryKey: [...keys.refunds.history(refundId ?? ''), status],
    queryFn: () => refundHistory(refundId!),
    enabled: !!refundId,
  });
}

function useRefundRefresh() {
  const qc = useQueryClient();
  return (updated: Refund) => {
    qc.setQueryData(keys.refunds.detail(updated.id), updated);
    void qc.invalidateQueries({ queryKey: keys.refunds.all });
    void qc.invalidateQueries({ queryKey: keys.cases.all });
    void qc.invalidateQueries({ queryKey: keys.orders.all });
    void qc.invalidateQueries({ queryKey: keys.stats });
  };
}

/** Every state change of a refund, each sent with the version the user saw. */
export function useRefundAction(refund: Refund | undefined) {
  const refresh = useRefundRefresh();
  return useMutation({
    mutationFn: async (action: RefundStep): Promise<Refund> => {
      if (!refund) throw new Error('no refund');
      const { id, version } = refund;
      switch (action.kind) {
        case 'approve_and_execute': {
          const approved = await approveRefund(id, version, undefined, action.restock);
          refresh(approved);
          return executeRefund(approved);
        }
        case 'approve':
          return approveRefund(id, version, undefined, action.restock);
        case 'execute':
          return executeRefund(refund);
        case 'reject':
          return rejectRefund(id, action.reason, version);
        case 'cancel':
          return cancelRefund(id, version);
        case 'settle':
          return settleRefund(id, action.settlement, version);
      }
    },
    onSuccess: refresh,
  });
}
