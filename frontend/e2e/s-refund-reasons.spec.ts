import { expect, test } from '@playwright/test';
import { expectAccessible, openCase, signIn } from './helpers';

test('the admin adds a refund reason, and alice gives it as the cause of her refund', async ({
  page,
  browser,
}) => {
  await signIn(page, 'admin@example.com');
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Refund reasons' })
    .click();
  const form = page.getByRole('form', { name: 'Add a reason' });
  await form.getByLabel('Label').fill('Gift return');
  await form.getByLabel('Code').fill('gift_return');
  await form.getByRole('button', { name: 'Add reason' }).click();
  const table = page.getByRole('table', { name: 'Refund reasons' });
  await expect(table.getByRole('cell', { name: 'gift_return', exact: true })).toBeVisible();
  await expectAccessible(page, 'refund reasons page');

  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  await openCase(alice, 'ORD-1006', 'Bag was a present', 'I got it twice as a gift.');
  const request = alice.getByRole('form', { name: 'Request a refund' });
  // The case is about a damaged item: the form starts on that cause.
  await expect(request.getByRole('combobox', { name: 'Cause', exact: true })).toHaveValue(
    'damaged',
  );
  await request.getByLabel('Units of Travel Bag to refund').fill('1');
  await request
    .getByRole('combobox', { name: 'Cause', exact: true })
    .selectOption({ label: 'Gift return' });
  await request.getByLabel('Reason').fill('A second bag, still wrapped.');
  await request.getByRole('button', { name: 'Send refund request' }).click();
  await expect(alice.getByText('Cause: Gift return')).toBeVisible();
});
