import {
  Alert,
  Anchor,
  Button,
  Grid,
  Group,
  List,
  Loader,
  Paper,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useParams } from 'react-router';
import { PageSkeleton } from '@/components/common/PageSkeleton';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { actionsFor, allowed, whyNot } from '@/components/refund/actions';
import { Breakdown } from '@/components/refund/Breakdown';
import { RejectForm } from '@/components/refund/RejectForm';
import { SettlementForm } from '@/components/refund/SettlementForm';
import { WindowText } from '@/components/refund/WindowText';
import { HistoryTimeline } from '@/components/support/HistoryTimeline';
import { Money } from '@/components/ui/Money';
import { RefundStatusBadge } from '@/components/ui/StatusBadge';
import { useOrder } from '@/hooks/useOrders';
import { useRefund, useRefundAction, useRefundHistory } from '@/hooks/useRefunds';
import { OrderLines } from '@/components/order/OrderLines';
import { useMe } from '@/hooks/useSession';
import { ApiError } from '@/services/http';
import { formatDateTime, label } from '@/services/format';
import { FINAL_REFUND_STATUSES, isStaff, type Refund } from '@/services/types';
import { NotFoundPage } from './NotFoundPage';

function Outcome({ refund }: { refund: Refund }) {
  switch (refund.status) {
    case 'processing':
      return (
        <Alert color="violet" icon={<Loader size="xs" />} title="Sending the money">
          The payment provider has not confirmed yet. This page updates by itself.
        </Alert>
      );
    case 'refunded':
      return (
        <Alert color="green" title="Refunded">
          <Money amount={refund.total_amount} currency={refund.currency} /> went back to the
          original payment
          {refund.gateway_refund_id ? ` (reference ${refund.gateway_refund_id})` : ''}.
        </Alert>
      );
    case 'failed':
      return (
        <Alert color="red" title="The refund failed">
          {refund.failure_reason ?? 'The payment provider did not accept it.'}
        </Alert>
      );
    case 'settled':
      return refund.settlement ? (
        <Alert color="teal" title={`Settled: ${label(refund.settlement.type)}`}>
          <Money amount={refund.settlement.amount} currency={refund.currency} /> —{' '}
          {refund.settlement.note}
          {refund.settlement.reference ? ` (ref. ${refund.settlement.reference})` : ''}
        </Alert>
      ) : null;
    case 'rejected':
      return (
        <Alert color="orange" title="Rejected">
          This refund was declined. See the history for the reason.
        </Alert>
      );
    case 'cancelled':
      return (
        <Alert color="gray" title="Cancelled">
          This request was withdrawn.
        </Alert>
      );
    default:
      return null;
  }
}

export function RefundPage() {
  const { refundId = '' } = useParams();
  const me = useMe();
  const staff = isStaff(me.role);
  const refund = useRefund(refundId);
  const history = useRefundHistory(refundId, refund.data?.status);
  const act = useRefundAction(refund.data);
  const order = useOrder(refund.data?.order_id);

  if (refund.isPending) return <PageSkeleton rows={6} />;
  if (refund.isError) {
    if (refund.error instanceof ApiError && refund.error.status === 404)
      return <NotFoundPage what="refund" />;
    return <ProblemAlert error={refund.error} onRetry={() => void refund.refetch()} />;
  }
  const r = refund.data;
  const can = (a: Parameters<typeof allowed>[1]) => allowed(r, a);
  const unavailable = actionsFor(staff).filter((a) => !can(a));
  const done = (message: string) => (res: Refund) =>
    notifications.show({
      color: res.status === 'failed' ? 'red' : 'green',
      message: res.status === 'failed' ? 'The refund failed.' : message,
    });

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={`/cases/${r.support_case_id}`} size="sm">
          ← Case
        </Anchor>
        <Group justify="space-between" mt={4}>
          <Title order={2}>
            Refund of <Money amount={r.total_amount} currency={r.currency} />
          </Title>
          <RefundStatusBadge status={r.status} />
        </Group>
        <Text size="sm" c="dimmed">
          Order{' '}
          <Anchor component={Link} to={`/orders/${r.order_id}`} size="sm">
            {r.order_id}
          </Anchor>{' '}
          · requested {formatDateTime(r.created_at)}
          {staff ? ` · customer ${r.customer_id}` : ''}
        </Text>
      </div>
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            <Outcome refund={r} />
            <Paper withBorder p="md">
              <Breakdown
                currency={r.currency}
                items={r.items}
                includeShipping={r.include_shipping}
                shippingAmount={r.shipping_amount}
                totalAmount={r.total_amount}
              />
            </Paper>
            <Paper withBorder p="md">
              <Stack gap="xs">
                <WindowText window={r.refund_window} />
                {r.approval_window ? (
                  <Text size="xs" c="dimmed">
                    At approval the window was {r.approval_window.open ? 'open' : 'closed'}
                    {r.approval_window.closes_at
                      ? ` (closing ${formatDateTime(r.approval_window.closes_at)})`
                      : ''}
                    .
                  </Text>
                ) : null}
                <Text size="sm">
                  <b>Reason:</b> {r.reason}
                </Text>
              </Stack>
            </Paper>
            <Paper withBorder p="md" component="section" aria-labelledby="refund-order-title">
              <Title order={5} mb="sm" id="refund-order-title">
                Order {r.order_id}
              </Title>
              {order.isPending ? (
                <PageSkeleton rows={2} />
              ) : order.isError ? (
                <ProblemAlert error={order.error} onRetry={() => void order.refetch()} />
              ) : (
                <OrderLines order={order.data} />
              )}
            </Paper>
            <Paper withBorder p="md" component="section" aria-labelledby="refund-history-title">
              <Title order={5} mb="sm" id="refund-history-title">
                History
              </Title>
              {history.isPending ? (
                <PageSkeleton rows={2} />
              ) : history.isError ? (
                <ProblemAlert error={history.error} onRetry={() => void history.refetch()} />
              ) : (
                <HistoryTimeline events={history.data} currentUserId={me.id} />
              )}
            </Paper>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="md" component="section" aria-label="Refund actions">
            <Stack gap="md">
              <Title order={5}>What you can do</Title>
              {act.error ? (
                <ProblemAlert
                  error={act.error}
                  onRetry={() => {
                    // A conflict means the refund moved on: show it as it is now. Anything
                    // else (gateway down, network) is worth the same step once more.
                    if (act.error instanceof ApiError && act.error.code === 'version_conflict') {
                      act.reset();
                      void refund.refetch();
                    } else if (
                      act.variables?.kind === 'approve_and_execute' &&
                      r.status !== 'requested'
                    ) {
                      // The approval went through; only sending the money is left.
                      act.mutate({ kind: 'execute' });
                    } else if (act.variables) act.mutate(act.variables);
                  }}
                />
              ) : null}
              {staff && can('approve') ? (
                <Button
                  size="md"
                  color="green"
                  loading={act.isPending}
                  onClick={() =>
                    act.mutate(
                      { kind: 'approve_and_execute' },
                      { onSuccess: done('Approved and refunded.') },
                    )
                  }
                >
                  Approve and refund
                </Button>
              ) : null}
              {staff && can('execute') ? (
                <Button
                  loading={act.isPending}
                  onClick={() =>
                    act.mutate({ kind: 'execute' }, { onSuccess: done('Refund sent.') })
                  }
                >
                  {r.status === 'failed' ? 'Try the refund again' : 'Send the refund'}
                </Button>
              ) : null}
              {staff && (can('reject') || can('settle')) ? (
                <Tabs
                  defaultValue={can('approve') || !can('settle') ? 'reject' : 'settle'}
                  keepMounted={false}
                >
                  <Tabs.List>
                    {can('settle') ? <Tabs.Tab value="settle">Record a settlement</Tabs.Tab> : null}
                    {can('reject') ? <Tabs.Tab value="reject">Reject</Tabs.Tab> : null}
                  </Tabs.List>
                  {can('settle') ? (
                    <Tabs.Panel value="settle" pt="sm">
                      <SettlementForm
                        currency={r.currency}
                        total={r.total_amount}
                        onSubmit={(settlement) =>
                          act
                            .mutateAsync({ kind: 'settle', settlement })
                            .then(done('Settlement recorded.'))
                        }
                      />
                    </Tabs.Panel>
                  ) : null}
                  {can('reject') ? (
                    <Tabs.Panel value="reject" pt="sm">
                      <RejectForm
                        onSubmit={(reason) =>
                          act.mutateAsync({ kind: 'reject', reason }).then(done('Refund rejected.'))
                        }
                      />
                    </Tabs.Panel>
                  ) : null}
                </Tabs>
              ) : null}
              {!staff && can('cancel') ? (
                <Button
                  variant="default"
                  loading={act.isPending}
                  onClick={() =>
                    act.mutate({ kind: 'cancel' }, { onSuccess: done('Refund request cancelled.') })
                  }
                >
                  Cancel this request
                </Button>
              ) : null}
              {FINAL_REFUND_STATUSES.includes(r.status) ? (
                <Text size="sm" c="dimmed">
                  Nothing more to do: this refund is {label(r.status).toLowerCase()}, which is
                  final.
                </Text>
              ) : unavailable.length ? (
                <div>
                  <Text size="xs" fw={600} c="dimmed" mb={4}>
                    Not available now
                  </Text>
                  <List size="xs" c="dimmed" spacing={2}>
                    {unavailable.map((a) => (
                      <List.Item key={a}>
                        <b>{label(a === 'settle' ? 'settlement' : a)}:</b> {whyNot(r, a, me.role)}
                      </List.Item>
                    ))}
                  </List>
                </div>
              ) : null}
            </Stack>
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
