import { api, unwrap } from './http';
import type { Order, PageOf } from './types';

export function listOrders(cursor?: string, limit = 50): Promise<PageOf<Order>> {
  return unwrap(api.GET('/api/v1/orders', { params: { query: { limit, cursor } } }));
}

export function getOrder(orderId: string): Promise<Order> {
  return unwrap(api.GET('/api/v1/orders/{order_id}', { params: { path: { order_id: orderId } } }));
}
