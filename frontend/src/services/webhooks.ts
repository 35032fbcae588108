import { api, unwrap } from './http';
import type {
  PageOf,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointPatch,
  WebhookEndpointWithSecret,
} from './types';

const endpointPath = (id: string) => ({ params: { path: { endpoint_id: id } } });

export function listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
  return unwrap(api.GET('/api/v1/webhook-endpoints'));
}

export function getWebhookEndpoint(id: string): Promise<WebhookEndpoint> {
  return unwrap(api.GET('/api/v1/webhook-endpoints/{endpoint_id}', endpointPath(id)));
}

/** The answer carries the signing secret: the only time besides a rotation it is shown. */
export function createWebhookEndpoint(
  body: WebhookEndpointCreate,
): Promise<WebhookEndpointWithSecret> {
  return unwrap(api.POST('/api/v1/webhook-endpoints', { body }));
}

export function patchWebhookEndpoint(
  id: string,
  body: WebhookEndpointPatch,
): Promise<WebhookEndpoint> {
  return unwrap(
    api.PATCH('/api/v1/webhook-endpoints/{endpoint_id}', { ...endpointPath(id), body }),
  );
}

export async function deleteWebhookEndpoint(id: string): Promise<void> {
  await unwrap(api.DELETE('/api/v1/webhook-endpoints/{endpoint_id}', endpointPath(id)));
}

export function rotateWebhookSecret(id: string): Promise<WebhookEndpointWithSecret> {
  return unwrap(
    api.POST('/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret', endpointPath(id)),
  );
}

export function listWebhookDeliveries(
  id: string,
  query: { cursor?: string; limit?: number },
): Promise<PageOf<WebhookDelivery>> {
  return unwrap(
    api.GET('/api/v1/webhook-endpoints/{endpoint_id}/deliveries', {
      params: { path: { endpoint_id: id }, query },
    }),
  );
}

/** Queues the delivery again: same webhook-id and body, due now. 409 when it is queued already. */
export function sendWebhookDeliveryAgain(id: string, deliveryId: number): Promise<WebhookDelivery> {
  return unwrap(
    api.POST('/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry', {
      params: { path: { endpoint_id: id, delivery_id: deliveryId } },
    }),
  );
}
