import { expect, test } from '@playwright/test';
import { openCase, shot, signIn } from './helpers';

// A visual tour for people reviewing the UI: `SCREENS=1 npm run e2e -- z-screens`.
test.skip(!process.env.SCREENS, 'screenshots only on request');

const PHONE = { width: 390, height: 844 };

test('screens: customer on desktop and phone', async ({ browser }) => {
  const page = await (
    await browser.newContext({ viewport: { width: 1280, height: 800 } })
  ).newPage();
  await page.goto('/login');
  await shot(page, 'screen-login');
  await signIn(page, 'alice@example.com');
  await page.goto('/orders/ORD-1001');
  await expect(page.getByRole('table', { name: 'Order lines' })).toBeVisible();
  await shot(page, 'screen-order');
  await openCase(page, 'ORD-1001', 'Cables do not charge', 'Two of three cables are dead.');
  const form = page.getByRole('form', { name: 'Request a refund' });
  await form.getByLabel('Units of USB-C Cable to refund').fill('2');
  await expect(form.getByTestId('refund-total')).toBeVisible();
  await page.getByRole('form', { name: 'Reply' }).getByLabel('Your reply').fill('Hello?');
  await page.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();
  await shot(page, 'screen-case-customer');
  await form.getByLabel('Reason').fill('Dead on arrival.');
  await form.getByRole('button', { name: 'Send refund request' }).click();
  await expect(page.getByRole('list', { name: 'Order lines' })).toBeVisible();
  await shot(page, 'screen-refund-customer');

  const phone = await (await browser.newContext({ viewport: PHONE, isMobile: true })).newPage();
  await signIn(phone, 'alice@example.com');
  await shot(phone, 'screen-phone-home');
  await phone.getByRole('button', { name: 'Toggle navigation' }).click();
  await shot(phone, 'screen-phone-nav');
  await phone
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'My cases' })
    .click();
  await phone.getByRole('link', { name: 'Cables do not charge' }).click();
  await expect(phone.getByRole('heading', { name: 'Cables do not charge' })).toBeVisible();
  await shot(phone, 'screen-phone-case');
});

test('screens: agent on desktop (dark) and phone', async ({ browser }) => {
  const page = await (
    await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
  ).newPage();
  await signIn(page, 'bob@example.com');
  await page.mouse.move(0, 0);
  await shot(page, 'screen-dashboard-dark');
  await page.goto('/cases');
  await expect(page.getByRole('table', { name: 'Support cases' })).toBeVisible();
  await shot(page, 'screen-cases-dark');
  await page.getByRole('table', { name: 'Support cases' }).getByRole('link').first().click();
  await page.getByRole('form', { name: 'Reply' }).getByLabel('Internal note').check();
  await page
    .getByRole('form', { name: 'Reply' })
    .getByRole('textbox')
    .fill('Customer is a regular; be generous.');
  await page.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByRole('listitem', { name: /Internal note/ })).toBeVisible();
  await shot(page, 'screen-case-agent-dark');
  await page.goto('/refunds/queue');
  await page.getByRole('table', { name: 'Refunds' }).getByRole('link').first().click();
  await expect(page.getByRole('heading', { name: /Refund of/ })).toBeVisible();
  await shot(page, 'screen-refund-agent-dark');

  const phone = await (await browser.newContext({ viewport: PHONE, isMobile: true })).newPage();
  await signIn(phone, 'bob@example.com');
  await phone.goto('/refunds');
  await shot(phone, 'screen-phone-refunds');
});
