import { expect, test } from '@playwright/test';
import { expectAccessible, requestRefund, shot, signIn } from './helpers';

test('bob cannot record a €900 settlement on the TV, sam can, after confirming', async ({
  browser,
}) => {
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  const refundUrl = await requestRefund(alice, 'ORD-1005', 'Television', '1');

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, 'bob@example.com');
  await bob.goto(refundUrl);
  await bob.getByRole('tab', { name: 'Record a settlement' }).click();
  const form = bob.getByRole('form', { name: 'Record a settlement' });
  // Told before trying: his limit for the order, and the amount starts there.
  await expect(form.getByText(/up to €500.00 by you/)).toBeVisible();
  await form.getByLabel(/Amount/).fill('900.00');
  await form.getByLabel('Note').fill('Store credit agreed on the phone.');
  await form.getByRole('button', { name: 'Record settlement' }).click();
  await expect(form.getByText('Above €500.00 a supervisor records the settlement')).toBeVisible();
  await expectAccessible(bob, 'settlement above the agent’s limit');
  await shot(bob, 'settlement-over-limit-bob');

  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, 'sam@example.com');
  await sam.goto(refundUrl);
  await sam.getByRole('tab', { name: 'Record a settlement' }).click();
  const samForm = sam.getByRole('form', { name: 'Record a settlement' });
  await samForm.getByLabel(/Amount/).fill('900.00');
  await samForm.getByLabel('Note').fill('Store credit agreed on the phone.');
  await samForm.getByRole('button', { name: 'Record settlement' }).click();
  const confirm = sam.getByRole('dialog', { name: 'Record €900.00 to Alice Martin?' });
  await expect(confirm).toContainText('store credit');
  await confirm.getByRole('button', { name: 'Record €900.00' }).click();
  await expect(sam.locator('[data-status="settled"]')).toBeVisible();
  await expect(sam.getByText('Settled: Store credit')).toBeVisible();
});
