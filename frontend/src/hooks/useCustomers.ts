import { useQuery } from '@tanstack/react-query';
import { getCustomer } from '@/services/customers';
import { keys } from './keys';

export function useCustomer(customerId: string | undefined) {
  return useQuery({
    queryKey: keys.customers.detail(customerId ?? ''),
    queryFn: () => getCustomer(customerId!),
    enabled: !!customerId,
  });
}
