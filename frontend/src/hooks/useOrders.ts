import { useQuery } from '@tanstack/react-query';
import { getOrder, listOrders } from '@/services/orders';
import { keys } from './keys';

export function useOrders() {
  return useQuery({ queryKey: keys.orders.list(), queryFn: listOrders });
}

export function useOrder(orderId: string | undefined) {
  return useQuery({
    queryKey: keys.orders.detail(orderId ?? ''),
    queryFn: () => getOrder(orderId!),
    enabled: !!orderId,
  });
}
