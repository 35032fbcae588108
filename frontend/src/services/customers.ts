import { api, unwrap } from './http';
import type { CustomerProfile } from './types';

export function getCustomer(customerId: string): Promise<CustomerProfile> {
  return unwrap(
    api.GET('/api/v1/customers/{customer_id}', {
      params: { path: { customer_id: customerId } },
    }),
  );
}
