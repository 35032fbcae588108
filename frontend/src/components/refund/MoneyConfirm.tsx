import { Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { formatMoney } from '@/services/format';

/** Money about to leave the shop, as the person confirming it reads it. */
export interface MoneyLeaving {
  amount: number;
  currency: string;
  /** Who gets it, e.g. "Alice Martin". */
  customer: string;
  /** How, e.g. "back to the card or account used for ORD-1001, through the payment provider". */
  method: string;
  /** The confirming button's words, e.g. "Send €899.00". */
  action: string;
}

/**
 * Above the shop's amount (`confirm_above`, from the server), a step that sends money asks
 * first, naming the amount, the customer and the method; at or below it, it goes at once.
 * Returns the function to call instead of the step, and the dialog to render.
 */
export function useConfirmMoney(confirmAbove: number | null | undefined): {
  confirmFirst: (money: MoneyLeaving, go: () => void) => void;
  dialog: ReactNode;
} {
  const [asking, setAsking] = useState<{ money: MoneyLeaving; go: () => void } | null>(null);
  const confirmFirst = (money: MoneyLeaving, go: () => void) => {
    if (confirmAbove === null || confirmAbove === undefined || money.amount <= confirmAbove) go();
    else setAsking({ money, go });
  };
  const money = asking?.money;
  const dialog = (
    <Modal
      opened={asking !== null}
      onClose={() => setAsking(null)}
      title={money ? `${money.action} to ${money.customer}?` : ''}
      closeButtonProps={{ 'aria-label': 'Close' }}
      centered
    >
      {money ? (
        <Stack gap="md">
          <List size="sm" spacing={4} aria-label="Money leaving">
            <List.Item>
              <b>Amount:</b> {formatMoney(money.amount, money.currency)}
            </List.Item>
            <List.Item>
              <b>Customer:</b> {money.customer}
            </List.Item>
            <List.Item>
              <b>Method:</b> {money.method}
            </List.Item>
          </List>
          <Text size="sm" c="dimmed">
            Money that has left cannot be called back from here.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setAsking(null)}>
              Don’t send
            </Button>
            <Button
              color="green"
              onClick={() => {
                const go = asking?.go;
                setAsking(null);
                go?.();
              }}
            >
              {money.action}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
  return { confirmFirst, dialog };
}
