import { expect, test } from '@playwright/test';
import { expectAccessible, openCase, signIn } from './helpers';

// The mail catcher answers only when the service runs its embedded SMTP server; a build
// without it (or with SMTP_URL set) answers 404 and this journey has nothing to show.
test('bob replies; the mail catcher page shows alice’s mail and its link opens the case', async ({
  browser,
  request,
}) => {
  const probe = await request.get('/sim/mail/messages');
  test.skip(!probe.ok(), 'the embedded mail catcher is not running');

  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const admin = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  const subject = 'Mug arrived chipped';
  const caseUrl = await openCase(alice, 'ORD-1004', subject, 'One of the four mugs is chipped.');

  await signIn(bob, 'bob@example.com');
  await bob.goto(caseUrl);
  await bob.getByLabel('Your reply').fill('Sorry about that: we will send a new one.');
  await bob.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();

  await signIn(admin, 'admin@example.com');
  await admin.goto('/admin/mail');
  await admin.getByLabel('To', { exact: true }).fill('alice@example.com');
  const table = admin.getByRole('table', { name: 'Sent mail' });
  // Mail leaves after the commit, through the outbox: the page looks again by itself.
  const row = table.getByRole('row').filter({ hasText: subject }).first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.getByRole('button').click();
  await expect(admin.getByLabel('Links in this mail')).toBeVisible();
  await expectAccessible(admin, 'sent mail');

  const caseLink = admin
    .getByLabel('Links in this mail')
    .getByRole('link', { name: new RegExp(new URL(caseUrl).pathname) });
  await caseLink.click();
  await expect(admin.getByRole('heading', { name: subject })).toBeVisible();
});
