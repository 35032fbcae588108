import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { OrderList } from '@/components/order/OrderList';
import { CaseTable } from '@/components/support/CaseTable';
import { useCaseList } from '@/hooks/useCases';
import { useOrders } from '@/hooks/useOrders';
import { ORDERS_UNAVAILABLE } from '@/services/words';
import { useMe } from '@/hooks/useSession';

const OPEN_CASES = {
  status: ['open', 'in_progress', 'waiting_on_customer', 'resolved'] as (
    'open' | 'in_progress' | 'waiting_on_customer' | 'resolved'
  )[],
  limit: 5,
  sort: '-updated_at',
};

export function CustomerHome() {
  const me = useMe();
  const orders = useOrders();
  const cases = useCaseList(OPEN_CASES);
  const openCases = cases.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          Hello, {me.name.split(' ')[0]}
        </Title>
        <Text c="dimmed">
          Something wrong with an order? Open a case from the order and we will sort it out.
        </Text>
      </div>
      <section aria-labelledby="orders-title">
        <Title order={3} id="orders-title" mb="sm">
          My orders
        </Title>
        <QueryState
          query={orders}
          rows={3}
          isEmpty={(list) => !list.length}
          empty={<Alert color="gray">You have no orders yet.</Alert>}
          unavailable={ORDERS_UNAVAILABLE}
        >
          {(list) => <OrderList orders={list} />}
        </QueryState>
      </section>
      <section aria-labelledby="cases-title">
        <Group justify="space-between" mb="sm">
          <Title order={3} id="cases-title">
            Open cases
          </Title>
          <Button component={Link} to="/cases" variant="subtle" size="xs">
            All my cases
          </Button>
        </Group>
        <QueryState
          query={cases}
          rows={2}
          isEmpty={() => !openCases.length}
          empty={
            <Text c="dimmed" size="sm">
              No open cases.
            </Text>
          }
        >
          {() => <CaseTable cases={openCases} />}
        </QueryState>
      </section>
    </Stack>
  );
}
