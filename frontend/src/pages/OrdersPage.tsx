import { Alert, Stack, Title } from '@mantine/core';
import { PageSkeleton } from '@/components/common/PageSkeleton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { OrderList } from '@/components/order/OrderList';
import { useOrders } from '@/hooks/useOrders';
import { useMe } from '@/hooks/useSession';
import { isStaff } from '@/services/types';

export function OrdersPage() {
  const me = useMe();
  const orders = useOrders();
  return (
    <Stack>
      <Title order={2}>{isStaff(me.role) ? 'Orders' : 'My orders'}</Title>
      {orders.isPending ? (
        <PageSkeleton />
      ) : orders.isError ? (
        <ProblemAlert error={orders.error} onRetry={() => void orders.refetch()} />
      ) : orders.data.length ? (
        <OrderList orders={orders.data} />
      ) : (
        <Alert color="gray">No orders.</Alert>
      )}
    </Stack>
  );
}
