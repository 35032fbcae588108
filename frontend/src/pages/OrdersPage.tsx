import { Alert, Stack, Title } from '@mantine/core';
import { QueryState } from '@/components/common/QueryState';
import { OrderList } from '@/components/order/OrderList';
import { useOrders } from '@/hooks/useOrders';
import { useMe } from '@/hooks/useSession';
import { isStaff } from '@/services/types';

export function OrdersPage() {
  const me = useMe();
  const orders = useOrders();
  return (
    <Stack>
      <Title order={1} size="h2">
        {isStaff(me.role) ? 'Orders' : 'My orders'}
      </Title>
      <QueryState
        query={orders}
        isEmpty={(list) => !list.length}
        empty={<Alert color="gray">No orders.</Alert>}
      >
        {(list) => <OrderList orders={list} />}
      </QueryState>
    </Stack>
  );
}
