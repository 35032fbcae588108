import { expect, test } from '@playwright/test';
import { expectAccessible, openCase, shot, signIn } from './helpers';

test('alice asks for 2 of her 3 cables and sees €21.40 before and after sending', async ({
  page,
}) => {
  await signIn(page, 'alice@example.com');
  await page.goto('/orders/ORD-1001');
  await expect(page.getByRole('heading', { name: 'Order ORD-1001' })).toBeVisible();
  await expectAccessible(page, 'order page');
  await openCase(
    page,
    'ORD-1001',
    'Two cables do not charge',
    'Two of the three USB-C cables do not charge anything.',
  );

  const form = page.getByRole('form', { name: 'Request a refund' });
  const cables = form.getByLabel('Units of USB-C Cable to refund');
  await cables.fill('4');
  await expect(form.getByText('At most 3 can be refunded')).toBeVisible();
  await cables.fill('2');
  const quote = form.getByRole('region', { name: 'Quote' });
  await expect(quote.getByTestId('refund-total')).toHaveText('€21.40');
  await expect(quote).toContainText('€10.70 each');
  await shot(page, 'refund-quote');
  await expectAccessible(page, 'case page with a refund quote');

  await form.getByLabel('Reason').fill('They do not charge.');
  await form.getByRole('button', { name: 'Send refund request' }).click();

  await expect(page.getByRole('heading', { name: /Refund of €21.40/ })).toBeVisible();
  await expect(page.getByTestId('refund-total')).toHaveText('€21.40');
  await expect(page.locator('[data-status="requested"]')).toBeVisible();
  await expectAccessible(page, 'refund page, customer');
});
