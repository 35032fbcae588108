import { expect, test } from '@playwright/test';
import { expectAccessible, openCase, shot, signIn } from './helpers';

// The card network sends a refund back after it succeeded (an expired card): the sandbox
// plays it with a fault, and tells the service through a signed event (see serve.sh).
test('a refund that came back from the bank is shown to bob with a bank transfer one click away', async ({
  browser,
  request,
}) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  await openCase(alice, 'ORD-1004', 'Mug arrived broken', 'One mug is in pieces.');
  const form = alice.getByRole('form', { name: 'Request a refund' });
  await form.getByLabel('Units of Mug to refund').fill('1');
  await expect(form.getByTestId('refund-total')).toBeVisible();
  await form.getByLabel('Reason').fill('Broken in transit.');
  await form.getByRole('button', { name: 'Send refund request' }).click();
  await expect(alice.getByRole('heading', { name: /Refund of/ })).toBeVisible();
  const refundUrl = alice.url();

  const fault = await request.post('/sim/gateway/_sandbox/faults', {
    data: {
      mode: 'fail_after_success',
      delay_seconds: 2,
      failure_reason: 'expired_or_canceled_card',
    },
  });
  expect(fault.status()).toBe(201);

  await signIn(bob, 'bob@example.com');
  await bob.goto(refundUrl);
  await bob.getByRole('button', { name: /Approve and refund/ }).click();
  await expect(bob.locator('[data-status="refunded"]')).toBeVisible({ timeout: 20_000 });

  // Seconds later the bank sends the money back; the page updates by itself.
  await expect(bob.getByText('The money came back', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(bob.locator('[data-status="failed"]')).toBeVisible();
  await expect(bob.getByText(/the card has expired or was cancelled/)).toBeVisible();
  const settlement = bob.getByRole('form', { name: 'Record a settlement' });
  await expect(settlement.getByLabel('Settlement type')).toHaveValue('bank_transfer');
  await expectAccessible(bob, 'refund that came back, agent');
  await shot(bob, 'refund-came-back-bob');

  await alice.goto(refundUrl);
  await expect(alice.getByText('Your bank sent the refund back', { exact: true })).toBeVisible();
  await expect(alice.getByText(/You have not lost anything/)).toBeVisible();

  await settlement.getByRole('button', { name: 'Record settlement' }).click();
  await expect(bob.locator('[data-status="settled"]')).toBeVisible();
  await expect(bob.getByText('Settled: Bank transfer')).toBeVisible();
});
