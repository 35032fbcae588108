import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

// The interactive API reference runs under the app's own security policy: its scripts and
// styles are the web app's, none from elsewhere and none inline (issue: it was blank).
test('the API reference lists the operations with no security policy error', async ({ page }) => {
  const refused: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') refused.push(message.text());
  });
  page.on('pageerror', (error) => refused.push(error.message));

  await signIn(page, 'admin@example.com');
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByText('API reference')
    .click();
  await expect(page).toHaveURL(/\/api\/v1\/docs$/);

  await expect(page.getByRole('heading', { name: /supportdesk/ })).toBeVisible();
  const operations = page.locator('.opblock');
  await expect(operations.first()).toBeVisible();
  expect(await operations.count()).toBeGreaterThan(40);
  await expect(page.getByText('/api/v1/support-cases/bulk').first()).toBeVisible();
  expect(refused.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  expect(refused).toEqual([]);
});
