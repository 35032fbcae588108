import { expect, test } from '@playwright/test';
import { openCase, shot, signIn } from './helpers';

test('a case goes from question to resolution, and alice sees how it got there', async ({
  browser,
}) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();

  await signIn(alice, 'alice@example.com');
  const caseUrl = await openCase(
    alice,
    'ORD-1001',
    'Headphones crackle on the left side',
    'Since yesterday the left ear crackles at any volume.',
  );
  await expect(alice.getByText('Open', { exact: true }).first()).toBeVisible();

  // Bob answers and asks for more information.
  await signIn(bob, 'bob@example.com');
  await bob.goto(caseUrl);
  await bob
    .getByLabel('Your reply')
    .fill('Sorry to hear that. Does it also happen over the cable?');
  await bob.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();
  await expect(bob.getByRole('listitem', { name: /Message by You/ })).toContainText(
    'over the cable',
  );
  await bob.getByLabel('Status').selectOption({ label: 'Waiting on customer' });
  await expect(bob.locator('[data-status="waiting_on_customer"]')).toBeVisible();

  // Alice replies, which puts the case back in progress.
  await alice.reload();
  await expect(alice.getByRole('listitem', { name: /Message by Support/ })).toContainText(
    'over the cable',
  );
  await expect(alice.locator('[data-status="waiting_on_customer"]')).toBeVisible();
  await alice.getByLabel('Your reply').fill('Yes, with the cable too.');
  await alice.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();
  await expect(alice.locator('[data-status="in_progress"]')).toBeVisible();

  // Bob resolves it.
  await bob.reload();
  await expect(bob.getByRole('listitem', { name: /Message by Customer/ })).toContainText(
    'with the cable too',
  );
  await bob.getByLabel('Status').selectOption({ label: 'Resolved' });
  await expect(bob.locator('[data-status="resolved"]')).toBeVisible();

  // Alice sees the whole story.
  await alice.reload();
  await expect(alice.locator('[data-status="resolved"]')).toBeVisible();
  const history = alice.getByRole('region', { name: 'History' });
  await expect(history).toContainText('Case opened');
  await expect(history).toContainText('Open → Waiting on customer');
  await expect(history).toContainText('Waiting on customer → In progress');
  await expect(history).toContainText('In progress → Resolved');
  await expect(alice.getByRole('button', { name: 'Reopen case' })).toBeVisible();
  await shot(alice, 'case-resolved-alice');
});

test('an order opened from a case leads back to the case', async ({ page }) => {
  await signIn(page, 'alice@example.com');
  const caseUrl = await openCase(page, 'ORD-1002', 'Where is the invoice?', 'I need it.');
  await page.getByRole('link', { name: 'ORD-1002' }).click();
  await expect(page.getByRole('heading', { name: 'Order ORD-1002' })).toBeVisible();
  await page.getByRole('link', { name: '← Case' }).click();
  await expect(page).toHaveURL(caseUrl);
});
