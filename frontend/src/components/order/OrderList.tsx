import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { describeWindow, formatDate, formatMoney, label } from '@/services/format';
import type { Order } from '@/services/types';

function orderTotal(o: Order): number {
  return o.lines.reduce((sum, l) => sum + l.gross, 0) + o.shipping.amount + o.shipping.tax;
}

export function DeliveryBadge({ order }: { order: Order }) {
  const delivered = !!order.delivered_at;
  return (
    <Badge variant="light" color={delivered ? 'green' : 'blue'}>
      {delivered ? `Delivered ${formatDate(order.delivered_at)}` : label(order.status)}
    </Badge>
  );
}

export function OrderList({ orders, now }: { orders: Order[]; now?: number }) {
  return (
    <SimpleGrid
      cols={{ base: 1, sm: 2, lg: 3 }}
      spacing="md"
      component="ul"
      style={{ listStyle: 'none', padding: 0 }}
    >
      {orders.map((o) => (
        <Card
          key={o.id}
          withBorder
          radius="md"
          padding="md"
          component="li"
          aria-label={`Order ${o.id}`}
        >
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap">
              <Anchor component={Link} to={`/orders/${o.id}`} fw={600}>
                {o.id}
              </Anchor>
              <Text fw={600}>{formatMoney(orderTotal(o), o.currency)}</Text>
            </Group>
            <Text size="sm" c="dimmed" lineClamp={1}>
              {o.lines.map((l) => `${l.quantity} × ${l.name}`).join(', ')}
            </Text>
            <Group gap="xs">
              <DeliveryBadge order={o} />
              {o.delivered_at ? (
                <Badge variant="dot" color={o.refund_window.open ? 'teal' : 'gray'}>
                  {o.refund_window.open ? 'Refund window open' : 'Refund window closed'}
                </Badge>
              ) : null}
            </Group>
            <Text size="xs" c="dimmed">
              Placed {formatDate(o.placed_at)} · {describeWindow(o.refund_window, now)}
            </Text>
          </Stack>
        </Card>
      ))}
    </SimpleGrid>
  );
}
