import { Anchor, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { DeliveryBadge } from '@/components/order/OrderList';
import { OrderLines } from '@/components/order/OrderLines';
import { CompensationSummary } from '@/components/refund/CompensationSummary';
import { WindowText } from '@/components/refund/WindowText';
import { CaseForm } from '@/components/support/CaseForm';
import { CaseTable } from '@/components/support/CaseTable';
import { useCaseList, useCreateCase } from '@/hooks/useCases';
import { useOrder } from '@/hooks/useOrders';
import { useMe } from '@/hooks/useSession';
import { formatDate } from '@/services/format';
import { isStaff } from '@/services/types';
import { CustomerLink } from '@/components/customer/CustomerLink';
import { NotFoundPage } from './NotFoundPage';

export function OrderPage() {
  const { orderId = '' } = useParams();
  const me = useMe();
  const order = useOrder(orderId);
  const cases = useCaseList({ order_id: orderId, sort: '-created_at', limit: 20 });
  const createCase = useCreateCase();
  const navigate = useNavigate();

  const orderCases = cases.data?.pages.flatMap((p) => p.items) ?? [];
  // Back to where the order was opened from (a case, a refund), else home.
  const back = (useLocation().state as { back?: { to: string; label: string } } | null)?.back ?? {
    to: '/',
    label: isStaff(me.role) ? 'Dashboard' : 'My orders',
  };

  return (
    <QueryState query={order} notFound={<NotFoundPage what="order" />}>
      {(o) => (
        <Stack gap="lg">
          <div>
            <Anchor component={Link} to={back.to} size="sm">
              ← {back.label}
            </Anchor>
            <Group justify="space-between" mt={4}>
              <Title order={1} size="h2">
                Order {o.id}
              </Title>
              <DeliveryBadge order={o} />
            </Group>
            <Text size="sm" c="dimmed">
              Placed {formatDate(o.placed_at)}
              {o.shipped_at ? ` · shipped ${formatDate(o.shipped_at)}` : ''}
              {isStaff(me.role) ? (
                <>
                  {' · customer '}
                  <CustomerLink customerId={o.customer_id} customer={o.customer} inline />
                </>
              ) : null}
            </Text>
          </div>
          <Grid gutter="lg">
            <Grid.Col span={{ base: 12, lg: 8 }}>
              <Stack>
                <Paper withBorder p="md">
                  <OrderLines order={o} />
                </Paper>
                <Paper withBorder p="md">
                  <WindowText window={o.refund_window} />
                </Paper>
                <Paper withBorder p="md">
                  <CompensationSummary compensation={o.compensation} />
                </Paper>
                <Paper withBorder p="md">
                  <Title order={4} mb="sm">
                    Cases about this order
                  </Title>
                  {orderCases.length ? (
                    <CaseTable cases={orderCases} showCustomer={isStaff(me.role)} />
                  ) : (
                    <Text size="sm" c="dimmed">
                      None yet.
                    </Text>
                  )}
                </Paper>
              </Stack>
            </Grid.Col>
            {!isStaff(me.role) ? (
              <Grid.Col span={{ base: 12, lg: 4 }}>
                <Paper withBorder p="md">
                  <Title order={4} mb="sm">
                    Open a case
                  </Title>
                  <CaseForm
                    orderOptions={[{ value: o.id, label: o.id }]}
                    defaultOrderId={o.id}
                    onSubmit={async (values) => {
                      const created = await createCase.mutateAsync(values);
                      notifications.show({
                        color: 'green',
                        message: 'Your case is open. We will get back to you soon.',
                      });
                      navigate(`/cases/${created.id}`);
                    }}
                  />
                </Paper>
              </Grid.Col>
            ) : null}
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}
