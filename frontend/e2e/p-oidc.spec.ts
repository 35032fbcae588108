import { expect, test } from '@playwright/test';
import { expectAccessible, shot } from './helpers';

// The e2e server runs the embedded test identity provider (IDP_SIMULATOR in e2e/serve.sh):
// its sign-in page lets you pick who signs in.

test('alice signs in with the shop’s account, and signing out there ends her session here', async ({
  page,
  request,
}) => {
  await page.goto('/login?next=%2Fcases');
  const withShop = page.getByRole('link', { name: 'Sign in with Example Shop' });
  await expect(withShop).toBeVisible();
  await shot(page, 'login-with-shop');
  await withShop.click();

  await expect(page.getByRole('heading', { name: 'Shop identity provider' })).toBeVisible();
  await page.getByRole('button', { name: 'Alice Martin (customer)' }).click();

  await expect(page).toHaveURL(/\/cases$/);
  await expect(page.getByRole('heading', { name: 'My cases' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'ORD-1001' })).toBeVisible();

  // Alice signs out at the shop: the provider tells supportdesk (back-channel logout).
  const signedOut = await request.post('/sim/idp/sign-out', {
    form: { email: 'alice@example.com' },
  });
  expect((await signedOut.json()).notified).toEqual([200]);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('dave, a customer of the shop without an account here, gets one on first sign-in', async ({
  page,
}) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Example Shop' }).click();
  await page.getByRole('button', { name: 'Dave Okafor (customer)' }).click();

  await expect(page.getByRole('link', { name: 'ORD-3001' })).toBeVisible();
});

test('saying no at the shop ends on a page that says so, with a way to try again', async ({
  page,
}) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Example Shop' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(page).toHaveURL(/\/sign-in\/oidc\?error=denied$/);
  await expect(page.getByRole('heading', { name: 'Signing in was cancelled' })).toBeVisible();
  await expectAccessible(page, 'provider sign-in error');
  await page.getByRole('link', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Shop identity provider' })).toBeVisible();
});
