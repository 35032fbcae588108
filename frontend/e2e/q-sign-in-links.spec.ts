import { expect, test } from '@playwright/test';
import type { APIRequestContext } from '@playwright/test';
import { expectAccessible, openCase, shot, signIn, signOut } from './helpers';

/** The link in the newest mail to ``to`` whose text has ``path``, from the mail catcher. */
async function linkFromMail(request: APIRequestContext, to: string, path: string) {
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const mails = (await (await request.get(`/sim/mail/messages?to=${to}`)).json()) as {
          items: { text: string }[];
        };
        const pattern = new RegExp(`https?://\\S+${path}#token=[\\w.-]+`);
        link = mails.items.map((m) => pattern.exec(m.text)?.[0]).find(Boolean);
        return link;
      },
      { timeout: 20_000 },
    )
    .toBeTruthy();
  return link!;
}

test('dave, who has no account, signs in with his order number and email, and opens a case', async ({
  page,
  request,
}) => {
  const probe = await request.get('/sim/mail/messages');
  test.skip(!probe.ok(), 'the embedded mail catcher is not running');

  await page.goto('/login');
  await page.getByRole('link', { name: 'No account? Sign in with your order' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in with your order' })).toBeVisible();
  await expectAccessible(page, 'sign in with an order');
  await page.getByLabel('Order number').fill('ORD-3001');
  await page.getByLabel('Email on the order').fill('dave@example.com');
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  await shot(page, 'order-sign-in-sent');

  const link = await linkFromMail(request, 'dave@example.com', '/sign-in/link');
  await page.goto(link);
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'ORD-3001' })).toBeVisible();

  await openCase(page, 'ORD-3001', 'Keyboard misses a key', 'The F7 key was missing in the box.');

  // The link worked once: opened again, it says so and offers a new one.
  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('already used');
  await expect(page.getByRole('link', { name: 'Send a new link' })).toBeVisible();
  await shot(page, 'order-sign-in-link-used');
});

test('bob opens a case in a second tab without signing in again; signing out in one tab signs out the other', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await signIn(first, 'bob@example.com');
  await first.goto('/cases');
  await expect(first.getByRole('heading', { name: 'Cases' })).toBeVisible();

  // Ctrl+click on a case opens a new tab: the tab restores the session from the cookie.
  const second = await context.newPage();
  await second.goto('/cases');
  await expect(second.getByRole('button', { name: 'Account menu' })).toBeVisible();
  await second.getByRole('link', { name: 'Keyboard misses a key' }).first().click();
  await expect(second.getByRole('heading', { name: 'Keyboard misses a key' })).toBeVisible();

  // A reload keeps the sign-in too.
  await second.reload();
  await expect(second.getByRole('heading', { name: 'Keyboard misses a key' })).toBeVisible();

  await signOut(first);
  await expect(second.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // And nothing restores it: the cookie's sign-in ended.
  await second.reload();
  await expect(second.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await context.close();
});

test('dave, signed in by order before, sets a password by mail; a weak one is refused with the reason', async ({
  page,
  request,
}) => {
  const probe = await request.get('/sim/mail/messages');
  test.skip(!probe.ok(), 'the embedded mail catcher is not running');

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  // The sign-in form's own Email field is there until the new page shows: filled before,
  // the address went into it and the reset form was sent empty.
  const resetForm = page.getByRole('form', { name: 'Reset your password' });
  await resetForm.getByLabel('Email').fill('dave@example.com');
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();

  await page.goto(await linkFromMail(request, 'dave@example.com', '/reset-password'));
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill('password123');
  await page.getByLabel('New password again').fill('password123');
  await page.getByRole('button', { name: 'Change the password' }).click();
  await expect(page.getByText(/common password/i)).toBeVisible();
  await expectAccessible(page, 'choose a new password');
  await shot(page, 'reset-password-weak');

  const strong = 'lantern-orchard-veranda-41';
  await page.getByLabel('New password', { exact: true }).fill(strong);
  await page.getByLabel('New password again').fill(strong);
  await page.getByRole('button', { name: 'Change the password' }).click();
  await expect(page.getByRole('heading', { name: 'Your password is changed' })).toBeVisible();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill('dave@example.com');
  await page.getByLabel('Password').fill(strong);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
});
