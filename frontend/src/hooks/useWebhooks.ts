import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WebhookEndpointCreate, WebhookEndpointPatch } from '@/services/types';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  patchWebhookEndpoint,
  rotateWebhookSecret,
  sendWebhookDeliveryAgain,
} from '@/services/webhooks';
import { keys } from './keys';

export function useWebhookEndpoints() {
  return useQuery({ queryKey: keys.webhooks.list(), queryFn: listWebhookEndpoints });
}

export function useWebhookEndpoint(id: string) {
  return useQuery({ queryKey: keys.webhooks.detail(id), queryFn: () => getWebhookEndpoint(id) });
}

export function useCreateWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookEndpointCreate) => createWebhookEndpoint(body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.webhooks.list() }),
  });
}

export function usePatchWebhookEndpoint(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookEndpointPatch) => patchWebhookEndpoint(id, body),
    onSuccess: (saved) => {
      qc.setQueryData(keys.webhooks.detail(id), saved);
      void qc.invalidateQueries({ queryKey: keys.webhooks.list() });
    },
  });
}

export function useDeleteWebhookEndpoint(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => deleteWebhookEndpoint(id),
    onSuccess: () => {
      qc.removeQueries({ queryKey: keys.webhooks.detail(id) });
      qc.removeQueries({ queryKey: keys.webhooks.deliveries(id) });
      void qc.invalidateQueries({ queryKey: keys.webhooks.list() });
    },
  });
}

export function useRotateWebhookSecret(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => rotateWebhookSecret(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.webhooks.detail(id) }),
  });
}

export function useWebhookDeliveries(id: string) {
  return useInfiniteQuery({
    queryKey: keys.webhooks.deliveries(id),
    queryFn: ({ pageParam }) => listWebhookDeliveries(id, { cursor: pageParam, limit: 25 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Deliveries go out after the change commits, through the dispatcher: look again now
    // and then while the page is open.
    refetchInterval: 5_000,
  });
}

export function useSendWebhookDeliveryAgain(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: number) => sendWebhookDeliveryAgain(id, deliveryId),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.webhooks.deliveries(id) }),
  });
}
