import { expect, test } from '@playwright/test';
import { expectAccessible, openCase, shot, signIn, signOut } from './helpers';

test('bob takes a phone call from alice, opens a case and asks a refund for her; alice sees both as hers', async ({
  page,
}) => {
  // Alice wrote in before, so she is someone bob can find.
  await signIn(page, 'alice@example.com');
  await openCase(page, 'ORD-1001', 'Headphones hum', 'A hum on the left side.');
  await signOut(page);

  // Alice phones. Bob finds her by her email address, not by an id he does not know.
  await signIn(page, 'bob@example.com');
  await page.goto('/cases');
  await page.getByRole('textbox', { name: 'Search' }).fill('alice@example.com');
  // The search settles into the URL; a click before it lands would be undone by it.
  await expect(page).toHaveURL(/q=alice%40example\.com/);
  const cases = page.getByRole('table', { name: 'Support cases' });
  await expect(cases.getByRole('link', { name: 'Headphones hum' })).toBeVisible();
  await expect(cases.getByText('alice@example.com').first()).toBeVisible();
  await cases.getByRole('link', { name: 'Alice Martin' }).first().click();

  // Her page: who she is, her figures, her orders, and a case opened for her.
  await expect(page.getByRole('heading', { name: 'Alice Martin' })).toBeVisible();
  await expect(page.getByText('Has an account')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Order ORD-1006' })).toBeVisible();
  await expectAccessible(page, 'customer page');
  const form = page.getByRole('form', { name: 'Open a case' });
  await expect(form.getByRole('textbox', { name: 'Channel' })).toHaveValue('Phone');
  await form.getByRole('textbox', { name: 'Order' }).click();
  await page.getByRole('option', { name: 'ORD-1004' }).click();
  await form.getByLabel('Subject').fill('Mugs arrived chipped (by phone)');
  await form.getByLabel('Category').selectOption({ label: 'Damaged item' });
  await form.getByRole('textbox', { name: 'Priority' }).click();
  await page.getByRole('option', { name: 'High' }).click();
  await form.getByLabel('Description').fill('Alice phoned: two of the four mugs are chipped.');
  await shot(page, 'k-desk-new-case-for-customer');
  await form.getByRole('button', { name: 'Open case' }).click();

  await expect(
    page.getByRole('heading', { name: 'Mugs arrived chipped (by phone)' }),
  ).toBeVisible();
  await expect(page.getByText(/taken by phone/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Alice Martin' })).toBeVisible();
  const caseUrl = page.url();

  // On the phone alice asks for two mugs back: bob asks for the refund on her behalf.
  await expect(
    page.getByRole('heading', { name: 'Request a refund for Alice Martin' }),
  ).toBeVisible();
  const refundForm = page.getByRole('form', { name: 'Request a refund' });
  await refundForm.getByLabel('Units of Mug to refund').fill('2');
  await expect(
    refundForm.getByRole('region', { name: 'Quote' }).getByTestId('refund-total'),
  ).toHaveText('€26.78');
  await refundForm.getByLabel('Reason').fill('Two mugs chipped, as alice said on the phone.');
  await refundForm.getByRole('button', { name: 'Send refund request' }).click();
  await expect(page.getByRole('heading', { name: /Refund of €26.78/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Alice Martin' })).toBeVisible();

  // Bob's home shows the case he took by phone; he takes it, and it is his work.
  await page.getByRole('navigation', { name: 'Main navigation' }).getByText('My work').click();
  const phoned = 'Mugs arrived chipped (by phone)';
  const unassigned = page.getByRole('region', { name: 'Unassigned' });
  await expect(unassigned.getByRole('link', { name: phoned })).toBeVisible();
  await unassigned.getByRole('button', { name: `Assign “${phoned}” to me` }).click();
  const mine = page.getByRole('region', { name: 'Assigned to me' });
  await expect(mine.getByRole('link', { name: phoned })).toBeVisible();
  await signOut(page);

  // Alice signs in: the case is hers, with what bob wrote down.
  await signIn(page, 'alice@example.com');
  await page.goto('/cases');
  await page.getByRole('link', { name: 'Mugs arrived chipped (by phone)' }).first().click();
  await expect(page).toHaveURL(caseUrl);
  await expect(page.getByText('Alice phoned: two of the four mugs are chipped.')).toBeVisible();
  await expect(page.getByRole('form', { name: 'Reply' })).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'Refunds' }).getByRole('link', { name: '€26.78' }),
  ).toBeVisible();
  // A customer never sees the customer page.
  await page.goto('/customers/CUST-1001');
  await expect(page.getByText(/could not find that page/)).toBeVisible();
});
