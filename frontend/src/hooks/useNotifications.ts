import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  getNotificationSettings,
  listCaughtMail,
  listOutbox,
  patchNotificationSettings,
  retryOutboxItem,
  type NotificationSettings,
  type OutboxItem,
  type OutboxState,
} from '@/services/notifications';
import { keys } from './keys';

export function useOutbox(state: OutboxState | undefined, channel: string | undefined) {
  return useInfiniteQuery({
    queryKey: keys.outbox.list({ state, channel }),
    queryFn: ({ pageParam }) => listOutbox({ state, channel, cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last?.next_cursor ?? undefined,
  });
}

export function useRetryOutboxItem() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: OutboxItem['id']) => retryOutboxItem(id),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.outbox.all }),
  });
}

export function useCaughtMail(to?: string) {
  return useQuery({
    queryKey: keys.caughtMail(to),
    queryFn: () => listCaughtMail(to),
    // Mail is sent after the change commits, by the dispatcher: look again now and then.
    refetchInterval: 5_000,
  });
}

export function useNotificationSettings() {
  return useQuery({ queryKey: keys.notificationSettings, queryFn: getNotificationSettings });
}

export function usePatchNotificationSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (change: Partial<NotificationSettings>) => patchNotificationSettings(change),
    onSuccess: (saved) => qc.setQueryData(keys.notificationSettings, saved),
  });
}
