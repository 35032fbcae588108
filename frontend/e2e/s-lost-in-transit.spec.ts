import { expect, test } from '@playwright/test';
import { shot, signIn } from './helpers';

const DAY = 86_400_000;

test('bob refunds a parcel lost in transit once it is old enough', async ({ browser, request }) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();

  // ORD-1003 shipped a day ago and has not arrived: alice asks for her money back.
  await signIn(alice, 'alice@example.com');
  await alice.goto('/orders/ORD-1003');
  const caseForm = alice.getByRole('form', { name: 'Open a case' });
  await caseForm.getByLabel('Subject').fill('My desk lamps never came');
  await caseForm.getByLabel('Category').selectOption({ label: 'Not delivered' });
  await caseForm.getByLabel('Description').fill('The tracking has not moved for days.');
  await caseForm.getByRole('button', { name: 'Open case' }).click();
  await expect(alice.getByRole('heading', { name: 'My desk lamps never came' })).toBeVisible();
  const refundForm = alice.getByRole('form', { name: 'Request a refund' });
  await refundForm.getByLabel('Units of Desk Lamp to refund').fill('2');
  const quote = refundForm.getByRole('region', { name: 'Quote' });
  await expect(
    quote.getByText(/Shipped 1 day ago; counts as lost in transit after 10 days, on /),
  ).toBeVisible();
  await refundForm.getByLabel('Reason').fill('The parcel never arrived.');
  await refundForm.getByRole('button', { name: 'Send refund request' }).click();
  await expect(alice.getByRole('heading', { name: /Refund of €59.50/ })).toBeVisible();
  const refundUrl = alice.url();

  // Bob sees it is not lost yet: no refund through the payment provider.
  await signIn(bob, 'bob@example.com');
  await bob.goto(refundUrl);
  await expect(bob.getByText(/counts as lost in transit after 10 days, on /).first()).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Approve and refund' })).toHaveCount(0);

  // Ten days and more go by (the order system's sandbox moves the shipment back).
  const shipped = await request.post('/sim/orders/_sandbox/orders/ORD-1003/shipment', {
    data: { shipped_at: new Date(Date.now() - 11 * DAY).toISOString() },
  });
  expect(shipped.ok()).toBe(true);
  const lost = bob.getByText(
    /The parcel shipped 11 days ago and never arrived: refundable as lost in transit/,
  );
  // The service's copy of the order lasts a second (ORDER_CACHE_TTL_SECONDS in serve.sh).
  await expect(async () => {
    await bob.reload();
    await expect(lost).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await shot(bob, 's-lost-in-transit-bob');

  await bob.getByRole('button', { name: 'Approve and refund' }).click();
  await expect(bob.locator('[data-status="refunded"]')).toBeVisible({ timeout: 20_000 });
  await expect(bob.getByText(/At approval the window was open as lost in transit/)).toBeVisible();
});
