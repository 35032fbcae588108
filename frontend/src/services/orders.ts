import { api, unwrap } from './http';
import type { Order } from './types';

export function listOrders(): Promise<Order[]> {
  return unwrap(api.GET('/api/v1/orders'));
}

export function getOrder(orderId: string): Promise<Order> {
  return unwrap(api.GET('/api/v1/orders/{order_id}', { params: { path: { order_id: orderId } } }));
}
