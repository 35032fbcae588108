import { Button, Checkbox, List, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ProblemAlert } from '@/components/common/ProblemAlert';
import { formatMoney, label, sentence } from '@/services/format';
import { failureWords } from '@/services/refundWords';
import type { ReasonCode, Refund, RefundStep } from '@/services/types';
import { useConfirmMoney } from './MoneyConfirm';
import { RejectForm } from './RejectForm';
import { SettlementForm } from './SettlementForm';

interface Props {
  refund: Refund;
  /** Takes the step. What to tell the person afterwards is read from the server's answer
   * by the caller, not chosen here by button. */
  act: (step: RefundStep) => Promise<unknown>;
  pending: boolean;
  error: unknown;
  onRetry: () => void;
  /** The reasons offered now, for a settlement's cause. */
  reasons?: readonly ReasonCode[];
}

/** "What you can do" with a refund: exactly the actions the server allows the caller now,
 * and for the others the server's reason. No rule is decided here. */
export function RefundActionPanel({ refund: r, act, pending, error, onRetry, reasons }: Props) {
  const can = (action: string) => r.allowed_actions.includes(action);
  // Ticked as the server proposes (its default for the case's category); the agent decides.
  const [restock, setRestock] = useState(r.restock);
  // A button's failure is shown by `error`; a form shows its own.
  const click = (step: RefundStep) => () => void act(step).catch(() => {});
  const { confirmFirst, dialog } = useConfirmMoney(r.confirm_above);
  const customer = r.customer?.name ?? 'the customer';
  const total = formatMoney(r.total_amount, r.currency);
  // Through the gateway, the money goes back the way it came.
  const send = (step: RefundStep, action: string) => () =>
    confirmFirst(
      {
        amount: r.total_amount,
        currency: r.currency,
        customer,
        method: `back to the card or account that paid for ${r.order_id}, through the payment provider`,
        action,
      },
      click(step),
    );
  return (
    <Paper withBorder p="md" component="section" aria-label="Refund actions">
      {dialog}
      <Stack gap="md">
        <Title order={5}>What you can do</Title>
        {error ? <ProblemAlert error={error} onRetry={onRetry} /> : null}
        {can('approve') ? (
          <Stack gap="xs">
            <Checkbox
              label="Restock the items"
              description="The shop's order system puts the refunded units back in stock"
              checked={restock}
              onChange={(event) => setRestock(event.currentTarget.checked)}
            />
            <Button
              size="md"
              color="green"
              loading={pending}
              onClick={send({ kind: 'approve_and_execute', restock }, `Approve and send ${total}`)}
            >
              Approve and refund {total}
            </Button>
          </Stack>
        ) : null}
        {can('execute') ? (
          <Button loading={pending} onClick={send({ kind: 'execute' }, `Send ${total}`)}>
            {r.status === 'failed' ? 'Try the refund again' : 'Send the refund'}
          </Button>
        ) : null}
        {can('reject') || can('settle') ? (
          // No tab is open until the person picks one: an open reason box under "Approve and
          // refund" reads as the expected next step, and a decision should be chosen, not found.
          // Money that came back is the one case where the next step is known: the same
          // amount another way, so the settlement form is open and filled in.
          <Tabs
            defaultValue={r.came_back && can('settle') ? 'settle' : null}
            allowTabDeactivation
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
                  limit={r.settle_limit ?? r.total_amount}
                  restock={r.restock}
                  reasons={reasons}
                  refundReason={r.reason_label}
                  onSubmit={(settlement) => act({ kind: 'settle', settlement })}
                  confirmFirst={(settlement, go) =>
                    confirmFirst(
                      {
                        amount: settlement.amount,
                        currency: r.currency,
                        customer,
                        method: `${label(settlement.type).toLowerCase()}, recorded here (paid outside the payment provider)`,
                        action: `Record ${formatMoney(settlement.amount, r.currency)}`,
                      },
                      go,
                    )
                  }
                  offer={
                    r.came_back
                      ? {
                          type: 'bank_transfer',
                          note: `The refund came back from the customer’s bank (${failureWords(r.failure_reason)}): paid by bank transfer instead.`,
                        }
                      : undefined
                  }
                />
              </Tabs.Panel>
            ) : null}
            {can('reject') ? (
              <Tabs.Panel value="reject" pt="sm">
                <RejectForm onSubmit={(reason) => act({ kind: 'reject', reason })} />
              </Tabs.Panel>
            ) : null}
          </Tabs>
        ) : null}
        {can('cancel') ? (
          <Button variant="default" loading={pending} onClick={click({ kind: 'cancel' })}>
            Cancel this request
          </Button>
        ) : null}
        {r.final ? (
          <Text size="sm" c="dimmed">
            Nothing more to do: this refund is {label(r.status).toLowerCase()}, which is final.
          </Text>
        ) : r.blocked_actions.length ? (
          <div>
            <Text size="xs" fw={600} c="dimmed" mb={4}>
              Not available now
            </Text>
            <List size="xs" c="dimmed" spacing={2}>
              {r.blocked_actions.map((b) => (
                <List.Item key={b.action}>
                  <b>{label(b.action === 'settle' ? 'settlement' : b.action)}:</b>{' '}
                  {sentence(b.detail)}
                </List.Item>
              ))}
            </List>
          </div>
        ) : null}
      </Stack>
    </Paper>
  );
}
