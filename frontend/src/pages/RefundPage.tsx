import { Anchor, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useRef } from 'react';
import { Link, useParams } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { Breakdown } from '@/components/refund/Breakdown';
import { RefundActionPanel } from '@/components/refund/RefundActionPanel';
import { RefundOutcome } from '@/components/refund/RefundOutcome';
import { WindowText } from '@/components/refund/WindowText';
import { HistoryTimeline } from '@/components/support/HistoryTimeline';
import { Money } from '@/components/ui/Money';
import { RefundStatusBadge } from '@/components/ui/StatusBadge';
import { useOrder } from '@/hooks/useOrders';
import { useReasonCodes } from '@/hooks/useReasonCodes';
import { useRefund, useRefundAction, useRefundHistory } from '@/hooks/useRefunds';
import { OrderLines } from '@/components/order/OrderLines';
import { useMe } from '@/hooks/useSession';
import { ApiError } from '@/services/http';
import {
  BASIS_WORDS,
  formatDateTime,
  formatDuration,
  formatMoney,
  label,
  sentence,
} from '@/services/format';
import { refundStepToast } from '@/services/refundWords';
import { isStaff, type Refund, type RefundStep } from '@/services/types';
import { CustomerLink } from '@/components/customer/CustomerLink';
import { NotFoundPage } from './NotFoundPage';

export function RefundPage() {
  const { refundId = '' } = useParams();
  const me = useMe();
  const staff = isStaff(me.role);
  const refund = useRefund(refundId);
  const history = useRefundHistory(refundId, refund.data?.status);
  const act = useRefundAction(refund.data);
  const order = useOrder(refund.data?.order_id);
  // Staff may settle with another cause than the refund's.
  const reasons = useReasonCodes({ enabled: staff });
  // Below md the two columns stack; the agent's panel then goes right after the summary
  // instead of below the order and the history. Read at once, so the panel mounts only once.
  const stacked = useMediaQuery('(max-width: 62em)', false, {
    getInitialValueInEffect: false,
  });

  // One step at a time: a double click, or a click while a step is on its way, joins the
  // step in flight instead of sending a second one (which would conflict with the first).
  const inFlight = useRef<Promise<void> | null>(null);
  const take = (step: RefundStep) => {
    inFlight.current ??= act
      .mutateAsync(step)
      .then((res: Refund) => void notifications.show({ ...refundStepToast(step, res) }))
      .finally(() => {
        inFlight.current = null;
      });
    return inFlight.current;
  };
  const retry = (r: Refund) => {
    // A conflict means the refund moved on: show it as it is now. Anything else (gateway
    // down, network) is worth the same step once more.
    if (act.error instanceof ApiError && act.error.code === 'version_conflict') {
      act.reset();
      void refund.refetch();
    } else if (act.variables?.kind === 'approve_and_execute' && r.status !== 'requested') {
      // The approval went through; only sending the money is left.
      act.mutate({ kind: 'execute' });
    } else if (act.variables) act.mutate(act.variables);
  };

  const panel = (r: Refund) => (
    <RefundActionPanel
      refund={r}
      act={take}
      pending={act.isPending}
      error={act.error}
      onRetry={() => retry(r)}
      reasons={reasons.data}
    />
  );

  return (
    <QueryState query={refund} rows={6} notFound={<NotFoundPage what="refund" />}>
      {(r) => (
        <Stack gap="lg">
          <div>
            <Anchor component={Link} to={`/cases/${r.support_case_id}`} size="sm">
              ← Case
            </Anchor>
            <Group justify="space-between" mt={4}>
              <Title order={1} size="h2">
                Refund of <Money amount={r.total_amount} currency={r.currency} />
              </Title>
              <RefundStatusBadge status={r.status} />
            </Group>
            <Text size="sm" c="dimmed">
              Order{' '}
              <Anchor
                component={Link}
                to={`/orders/${r.order_id}`}
                state={{ back: { to: `/refunds/${r.id}`, label: 'Refund' } }}
                size="sm"
              >
                {r.order_id}
              </Anchor>{' '}
              · requested {formatDateTime(r.created_at)}
              {r.time_to_money_seconds != null
                ? ` · money sent after ${formatDuration(r.time_to_money_seconds)}`
                : ''}
              {staff ? (
                <>
                  {' · customer '}
                  <CustomerLink customerId={r.customer_id} customer={r.customer} inline />
                </>
              ) : null}
            </Text>
          </div>
          <Grid gutter="lg">
            <Grid.Col span={{ base: 12, md: stacked ? 12 : 7 }}>
              <Stack gap="lg">
                <RefundOutcome
                  refund={r}
                  staff={staff}
                  rejectedBecause={
                    history.data?.findLast((e) => e.to_status === 'rejected')?.note ?? undefined
                  }
                />
                <Paper withBorder p="md">
                  {r.kind === 'amount' ? (
                    <Group justify="space-between" aria-label="Refund breakdown" role="group">
                      <div>
                        <Text size="sm">An amount, not tied to items of the order</Text>
                        <Text size="xs" c="dimmed">
                          Reason: {label(r.reason_code ?? 'other').toLowerCase()}
                        </Text>
                      </div>
                      <Text size="sm" fw={700} data-testid="refund-total">
                        {formatMoney(r.total_amount, r.currency)}
                      </Text>
                    </Group>
                  ) : (
                    <Breakdown
                      currency={r.currency}
                      items={r.items}
                      includeShipping={r.include_shipping}
                      shippingAmount={r.shipping_amount}
                      totalAmount={r.total_amount}
                    />
                  )}
                </Paper>
                <Paper withBorder p="md">
                  <Stack gap="xs">
                    <WindowText window={r.refund_window} />
                    {r.approval_window ? (
                      <Text size="xs" c="dimmed">
                        At approval the window was {r.approval_window.open ? 'open' : 'closed'}{' '}
                        {BASIS_WORDS[r.approval_window.basis]}
                        {r.approval_window.closes_at
                          ? ` (closing ${formatDateTime(r.approval_window.closes_at)})`
                          : ''}
                        .
                      </Text>
                    ) : null}
                    {/* The policy's limits and rules are staff business; the customer reads the
                        status above. */}
                    {staff && r.decision ? (
                      <Text size="sm" data-testid="refund-decision">
                        <b>Decision:</b> {sentence(r.decision.explanation)}
                      </Text>
                    ) : null}
                    {r.reason_label ? (
                      <Text size="sm">
                        <b>Cause:</b> {r.reason_label}
                      </Text>
                    ) : null}
                    {r.items
                      .filter((i) => i.reason_code && i.reason_code !== r.reason_code)
                      .map((i) => (
                        <Text size="sm" key={i.line_id}>
                          <b>Cause for {i.name}:</b> {i.reason_label}
                        </Text>
                      ))}
                    {r.reason ? (
                      <Text size="sm">
                        <b>{r.kind === 'amount' ? 'Note' : 'Reason'}:</b> {r.reason}
                      </Text>
                    ) : null}
                    {staff && r.kind === 'units' ? (
                      <Text size="sm">
                        <b>Stock:</b>{' '}
                        {r.restock ? 'the items go back in stock' : 'the items are not restocked'}
                        {r.final ? '' : ' (decided at approval)'}
                      </Text>
                    ) : null}
                  </Stack>
                </Paper>
                {stacked ? panel(r) : null}
                <Paper withBorder p="md" component="section" aria-labelledby="refund-order-title">
                  <Title order={5} mb="sm" id="refund-order-title">
                    Order {r.order_id}
                  </Title>
                  <QueryState query={order} rows={2}>
                    {(o) => <OrderLines order={o} />}
                  </QueryState>
                </Paper>
                <Paper withBorder p="md" component="section" aria-labelledby="refund-history-title">
                  <Title order={5} mb="sm" id="refund-history-title">
                    History
                  </Title>
                  <QueryState query={history} rows={2}>
                    {(events) => <HistoryTimeline events={events} currentUserId={me.id} />}
                  </QueryState>
                </Paper>
              </Stack>
            </Grid.Col>
            {stacked ? null : <Grid.Col span={{ base: 12, md: 5 }}>{panel(r)}</Grid.Col>}
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}
