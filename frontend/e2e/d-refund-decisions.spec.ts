import { expect, test } from '@playwright/test';
import { expectAccessible, requestRefund, shot, signIn } from './helpers';

test('bob approves and executes a refund inside the window; the gateway pays once', async ({
  browser,
  request,
}) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  // The headphones: the cables may be held by journey (c)'s request in the same service.
  const refundUrl = await requestRefund(alice, 'ORD-1001', 'Wireless Headphones', '1');
  await expect(alice.getByTestId('refund-total')).toHaveText('€107.09');

  await signIn(bob, 'bob@example.com');
  await bob.goto('/refunds/queue');
  await expect(bob.getByRole('link', { name: /Wireless Headphones/ }).first()).toBeVisible();
  await expectAccessible(bob, 'refund queue');
  await bob
    .getByRole('link', { name: /Wireless Headphones/ })
    .first()
    .click();
  await expect(bob).toHaveURL(refundUrl);
  await expect(bob.getByText(/delivered 3 days ago, window closes in 1[01] days/)).toBeVisible();
  await expectAccessible(bob, 'refund page, agent');
  await bob.getByRole('button', { name: 'Approve and refund' }).click();
  // Above the shop's amount (€100 by default) money leaves only once confirmed, the
  // amount, the customer and the method in view.
  const confirm = bob.getByRole('dialog', { name: 'Approve and send €107.09 to Alice Martin?' });
  await expect(confirm).toContainText('through the payment provider');
  await confirm.getByRole('button', { name: 'Approve and send €107.09' }).click();
  await expect(bob.locator('[data-status="refunded"]')).toBeVisible({ timeout: 20_000 });
  await shot(bob, 'refund-refunded-bob');

  const sandbox = await (await request.get('/sim/gateway/_sandbox/refunds')).json();
  const items = (sandbox.items ?? sandbox) as {
    amount: number;
    metadata?: { refund_id?: string };
  }[];
  const refundId = refundUrl.split('/').pop();
  const ours = items.filter((r) => r.metadata?.refund_id === refundId);
  expect(ours).toHaveLength(1);
  expect(ours[0]!.amount).toBe(10709);
  expect(items).toHaveLength(1);

  await alice.goto('/refunds');
  await expect(
    alice.getByRole('table', { name: 'Refunds' }).locator('[data-status="refunded"]'),
  ).toBeVisible();
});

test('bob records a store-credit settlement for a refund outside the window', async ({
  browser,
}) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  const refundUrl = await requestRefund(alice, 'ORD-1002', 'Coffee Grinder', '1');

  await signIn(bob, 'bob@example.com');
  await bob.goto(refundUrl);
  await expect(bob.getByText(/outside the window by \d+ days/)).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Approve and refund' })).toHaveCount(0);
  await expect(bob.getByText(/outside the refund window, so it cannot be paid back/)).toBeVisible();
  // No decision form is open until the agent picks one.
  await expect(bob.getByRole('form', { name: 'Record a settlement' })).toHaveCount(0);
  await bob.getByRole('tab', { name: 'Record a settlement' }).click();
  const form = bob.getByRole('form', { name: 'Record a settlement' });
  await form.getByLabel('Settlement type').selectOption('store_credit');
  await form.getByLabel(/Amount/).fill('30.00');
  await form.getByLabel('Note').fill('Store credit offered as a goodwill gesture.');
  await form.getByRole('button', { name: 'Record settlement' }).click();
  await expect(bob.locator('[data-status="settled"]')).toBeVisible();
  await expect(bob.getByText('Settled: Store credit')).toBeVisible();
  await shot(bob, 'refund-settled-bob');
  await expectAccessible(bob, 'settled refund page, agent');
});
