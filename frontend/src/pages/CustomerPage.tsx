import {
  Alert,
  Anchor,
  Badge,
  Grid,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate, useParams } from 'react-router';
import { QueryState } from '@/components/common/QueryState';
import { OrderList } from '@/components/order/OrderList';
import { RefundTable } from '@/components/refund/RefundTable';
import { CaseForm } from '@/components/support/CaseForm';
import { CaseTable } from '@/components/support/CaseTable';
import { Money } from '@/components/ui/Money';
import { useCreateCase } from '@/hooks/useCases';
import { useCustomer } from '@/hooks/useCustomers';
import { useStaff } from '@/hooks/useStaff';
import type { CustomerProfile } from '@/services/types';
import { NotFoundPage } from './NotFoundPage';

function Figure({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={600}>
        {children}
      </Text>
    </div>
  );
}

function Totals({ customer }: { customer: CustomerProfile }) {
  const t = customer.totals;
  const money = (amount: number) =>
    t.currency ? <Money amount={amount} currency={t.currency} /> : '—';
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} aria-label="Figures">
      <Figure label="Refunded (all time)">{money(t.refunded)}</Figure>
      <Figure label="Settled (all time)">{money(t.settled)}</Figure>
      <Figure label="Refunds in 90 days">{t.count_90d}</Figure>
      <Figure label="Refund rate, 12 months">
        {t.refund_rate_12m_percent === null ? '—' : `${t.refund_rate_12m_percent} %`}
      </Figure>
    </SimpleGrid>
  );
}

/** Who a customer is, for staff: contact, figures, orders, cases and refunds, and a case
 * opened for them when they phone, write or chat. */
export function CustomerPage() {
  const { customerId = '' } = useParams();
  const customer = useCustomer(customerId);
  const createCase = useCreateCase();
  const navigate = useNavigate();
  const staffList = useStaff(true);
  const names = Object.fromEntries((staffList.data ?? []).map((s) => [s.id, s.name]));

  return (
    <QueryState query={customer} rows={6} notFound={<NotFoundPage what="customer" />}>
      {(c) => (
        <Stack gap="lg">
          <div>
            <Anchor component={Link} to="/cases" size="sm">
              ← Support cases
            </Anchor>
            <Group justify="space-between" align="flex-start" mt={4}>
              <Title order={1} size="h2">
                {c.name || c.id}
              </Title>
              <Badge variant="light" color={c.has_account ? 'green' : 'gray'}>
                {c.has_account ? 'Has an account' : 'No account yet'}
              </Badge>
            </Group>
            <Text size="sm" c="dimmed">
              {c.email ? (
                <Anchor href={`mailto:${c.email}`} size="sm">
                  {c.email}
                </Anchor>
              ) : (
                'No email known'
              )}{' '}
              · {c.id}
            </Text>
          </div>
          {c.flags.map((f) => (
            <Alert key={f.code} color="orange" title="Look closer" role="status">
              {f.explanation}. A flag is a prompt to look at the history, not a decision.
            </Alert>
          ))}
          <Paper withBorder p="md">
            <Totals customer={c} />
          </Paper>
          <Grid gutter="lg">
            <Grid.Col span={{ base: 12, lg: 8 }}>
              <Stack gap="lg">
                <Paper withBorder p="md" component="section" aria-labelledby="cases-title">
                  <Title order={4} mb="sm" id="cases-title">
                    Cases
                  </Title>
                  {c.cases.length ? (
                    <CaseTable cases={c.cases} showAssignee names={names} />
                  ) : (
                    <Text size="sm" c="dimmed">
                      None yet.
                    </Text>
                  )}
                </Paper>
                <Paper withBorder p="md" component="section" aria-labelledby="refunds-title">
                  <Title order={4} mb="sm" id="refunds-title">
                    Refunds
                  </Title>
                  {c.refunds.length ? (
                    <RefundTable refunds={c.refunds} />
                  ) : (
                    <Text size="sm" c="dimmed">
                      None.
                    </Text>
                  )}
                </Paper>
                <section aria-labelledby="orders-title">
                  <Title order={4} mb="sm" id="orders-title">
                    Orders
                  </Title>
                  <OrderList orders={c.orders} />
                </section>
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 4 }}>
              <Paper withBorder p="md" component="section" aria-labelledby="new-case-title">
                <Title order={4} mb="sm" id="new-case-title">
                  New case for this customer
                </Title>
                {c.orders.length ? (
                  <CaseForm
                    askChannel
                    orderOptions={c.orders.map((o) => ({ value: o.id, label: o.id }))}
                    onSubmit={async (values) => {
                      const created = await createCase.mutateAsync(values);
                      notifications.show({
                        color: 'green',
                        message: `Case opened for ${c.name || c.id}.`,
                      });
                      navigate(`/cases/${created.id}`);
                    }}
                  />
                ) : (
                  <Text size="sm" c="dimmed">
                    The order system knows no order of this customer to open a case about.
                  </Text>
                )}
              </Paper>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}
