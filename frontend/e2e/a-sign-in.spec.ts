import { expect, test } from '@playwright/test';
import { expectAccessible, shot, signIn, signOut } from './helpers';

test('alice signs in and sees her orders', async ({ page }) => {
  await signIn(page, 'alice@example.com');
  await expect(page.getByRole('heading', { name: 'My orders' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'ORD-1001' })).toBeVisible();
  await expect(
    page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'My cases' }),
  ).toBeVisible();
  await shot(page, 'home-alice');
  await expectAccessible(page, 'customer home');
  await signOut(page);
});

test('the first Tab offers a skip link that moves focus to the page itself', async ({ page }) => {
  await signIn(page, 'alice@example.com');
  await page.goto('/cases');
  await expect(page.getByRole('heading', { name: 'My cases' })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
});

test('bob signs in to his work queue, and the support dashboard is one link away', async ({
  page,
}) => {
  await signIn(page, 'bob@example.com');
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Assigned to me' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Unassigned' })).toBeVisible();
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Dashboard' })
    .click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText('Cases by status')).toBeVisible();
  await expect(
    page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Refund queue' }),
  ).toBeVisible();
  await page.mouse.move(0, 0);
  await shot(page, 'home-bob');
  await expectAccessible(page, 'agent dashboard');
});

test('a signed-out visitor is sent to sign in and back where they were', async ({ page }) => {
  await page.goto('/cases');
  await expect(page).toHaveURL(/\/login\?next=%2Fcases/);
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'My cases' })).toBeVisible();
  await expect(page).toHaveURL(/\/cases$/);
});

test('a wrong password is answered in plain words', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match');
  await expectAccessible(page, 'sign-in page with an error');
});

test('the sign-in page is ready to type into', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByLabel('Email')).toBeFocused();
});

test('after signing out, the next person starts on their own home page', async ({ page }) => {
  await signIn(page, 'alice@example.com');
  await page.goto('/cases?status=open');
  await expect(page.getByRole('heading', { name: 'My cases' })).toBeVisible();
  await signOut(page);
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Email').fill('bob@example.com');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
});
