import { Alert, Stack, Title } from '@mantine/core';
import { QueryState } from '@/components/common/QueryState';
import { OrderList } from '@/components/order/OrderList';
import { useOrders } from '@/hooks/useOrders';
import { useMe } from '@/hooks/useSession';
import { isStaff } from '@/services/types';
import { ORDERS_UNAVAILABLE } from '@/services/words';

export function OrdersPage() {
  const me = useMe();
  const orders = useOrders();
  const staff = isStaff(me.role);
  return (
    <Stack>
      <Title order={1} size="h2">
        {staff ? 'Orders' : 'My orders'}
      </Title>
      <QueryState
        query={orders}
        isEmpty={(list) => !list.length}
        empty={<Alert color="gray">No orders.</Alert>}
        // Staff read which system did not answer; a customer reads what to do.
        unavailable={staff ? undefined : ORDERS_UNAVAILABLE}
      >
        {(list) => <OrderList orders={list} />}
      </QueryState>
    </Stack>
  );
}
