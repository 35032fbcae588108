import { expect, test } from '@playwright/test';
import { expectAccessible, openCase, signIn } from './helpers';

test('bob filters the cases and refunds overviews and walks back with the back button', async ({
  browser,
}) => {
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  await openCase(
    alice,
    'ORD-1005',
    'Television arrived with a cracked screen',
    'The screen is cracked in the corner.',
  );

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, 'bob@example.com');
  await bob
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Support cases' })
    .click();
  await expect(bob.getByRole('heading', { name: 'Support cases' })).toBeVisible();
  const table = bob.getByRole('table', { name: 'Support cases' });
  await expect(table.getByRole('link', { name: /cracked screen/ })).toBeVisible();
  await expectAccessible(bob, 'cases overview');

  // Filter by status: the URL says so, and the list follows.
  await bob.getByRole('group', { name: 'Status' }).getByText('Resolved', { exact: true }).click();
  await expect(bob).toHaveURL(/status=resolved/);
  // Other journeys may have resolved cases of their own; the new open one is not among them.
  await expect(bob.getByRole('link', { name: /cracked screen/ })).toHaveCount(0);
  await expect(bob.locator('[data-status]:not([data-status="resolved"])')).toHaveCount(0);

  // A text search on top.
  await bob.goBack();
  await expect(bob).not.toHaveURL(/status=resolved/);
  await expect(table.getByRole('link', { name: /cracked screen/ })).toBeVisible();
  await bob.getByLabel('Search').fill('television');
  await bob.getByLabel('Search').press('Enter');
  await expect(bob).toHaveURL(/q=television/);
  await expect(table.getByRole('link', { name: /cracked screen/ })).toBeVisible();

  // Open the case, then come back to the filtered list.
  await table.getByRole('link', { name: /cracked screen/ }).click();
  await expect(bob.getByRole('heading', { name: /cracked screen/ })).toBeVisible();
  await expectAccessible(bob, 'case page, agent');
  await bob.goBack();
  await expect(bob).toHaveURL(/q=television/);
  await expect(bob.getByLabel('Search')).toHaveValue('television');

  // The refunds overview, filtered by status.
  await bob
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Refunds' })
    .click();
  await expect(bob.getByRole('heading', { name: 'Refunds', exact: true })).toBeVisible();
  await expect(bob.getByRole('table', { name: 'Refunds' })).toBeVisible();
  await expectAccessible(bob, 'refunds overview');
  await bob.getByRole('group', { name: 'Status' }).getByText('Requested', { exact: true }).click();
  await expect(bob).toHaveURL(/status=requested/);
  await bob.getByRole('group', { name: 'Status' }).getByText('Settled', { exact: true }).click();
  await expect(bob).toHaveURL(/status=requested&status=settled/);
  await bob.goBack();
  await expect(bob).toHaveURL(/status=requested$/);
  await bob.goBack();
  await expect(bob).not.toHaveURL(/status=/);
  await bob.goBack();
  await expect(bob).toHaveURL(/\/cases\?.*q=television/);
});
