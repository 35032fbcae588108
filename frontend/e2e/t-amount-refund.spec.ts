import { expect, test } from '@playwright/test';
import { expectAccessible, openCase, shot, signIn } from './helpers';

test('bob gives alice a €5 goodwill refund for a late parcel; the gateway pays it', async ({
  browser,
}) => {
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  const caseUrl = await openCase(
    alice,
    'ORD-1001',
    'My parcel came a week late',
    'The headphones were a birthday present and arrived after the birthday.',
  );

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, 'bob@example.com');
  await bob.goto(caseUrl);
  await expect(
    bob.getByRole('heading', { name: 'Request a refund for Alice Martin' }),
  ).toBeVisible();
  await bob.locator('label', { hasText: /^An amount$/ }).click();
  const form = bob.getByRole('form', { name: 'Give an amount' });
  await form.getByLabel(/Amount/).fill('5.00');
  await form.getByLabel('Cause').selectOption({ label: 'Late delivery' });
  await form.getByLabel(/Note/).fill('Sorry the parcel was late: €5 back as a gesture.');
  await expectAccessible(bob, 'giving an amount');
  await form.getByRole('button', { name: 'Give this amount' }).click();

  await expect(bob.getByText('An amount, not tied to items of the order')).toBeVisible();
  await expect(bob.getByTestId('refund-total')).toHaveText('€5.00');
  // €5 is below the amount that asks for a confirmation: approved and paid in one step.
  await bob.getByRole('button', { name: 'Approve and refund' }).click();
  await expect(bob.locator('[data-status="refunded"]')).toBeVisible({ timeout: 20_000 });
  await shot(bob, 'amount-refund-refunded-bob');

  // The order's budget shows what went back.
  await bob.goto('/orders/ORD-1001');
  const budget = bob.getByRole('group', { name: 'Money back on this order' });
  // (Journey d's headphones went back on this order too: the figure is theirs and these €5.)
  await expect(budget).toContainText('Given back');
  await expect(budget).toContainText('Remains to give');
  await expectAccessible(bob, 'order page with its compensation budget');

  await alice.goto('/refunds');
  await expect(alice.getByRole('link', { name: 'An amount: late delivery' })).toBeVisible();
});
