import { expect, test } from '@playwright/test';
import { expectAccessible, signIn } from './helpers';

test('the admin adds an agent, who can then sign in', async ({ page, browser }) => {
  await signIn(page, 'admin@example.com');
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Users' })
    .click();
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Email').fill('dana@example.com');
  await form.getByLabel('Name').fill('Dana Agent');
  await form.getByLabel('Role').selectOption('agent');
  await form.getByLabel('Initial password').fill('short');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(form.getByText('Use at least 12 characters')).toBeVisible();
  await form.getByLabel('Initial password').fill('a-long-enough-password');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(
    page
      .getByRole('table', { name: 'Users' })
      .getByRole('cell', { name: 'dana@example.com', exact: true }),
  ).toBeVisible();
  await expectAccessible(page, 'users page');

  const dana = await (await browser.newContext()).newPage();
  await dana.goto('/login');
  await dana.getByLabel('Email').fill('dana@example.com');
  await dana.getByLabel('Password').fill('a-long-enough-password');
  await dana.getByRole('button', { name: 'Sign in' }).click();
  // A new agent's first page is the staff home, their work queue.
  await expect(dana.getByRole('heading', { name: 'My work' })).toBeVisible();
});
