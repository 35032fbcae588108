import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PASSWORD = 'demo-password';
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export async function signIn(page: Page, email: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Opens a case about an order through the order page; returns the case page's URL. */
export async function openCase(page: Page, orderId: string, subject: string, description: string) {
  await page.goto(`/orders/${orderId}`);
  const form = page.getByRole('form', { name: 'Open a case' });
  await form.getByLabel('Subject').fill(subject);
  await form.getByLabel('Category').selectOption({ label: 'Damaged item' });
  await form.getByLabel('Description').fill(description);
  await form.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { name: subject })).toBeVisible();
  return page.url();
}

/** Opens a case about an order and asks for a refund of units of one item on it; returns
 * the refund page's URL. */
export async function requestRefund(page: Page, orderId: string, itemName: string, units: string) {
  await openCase(page, orderId, `Refund for ${orderId}`, `Please refund the ${itemName}.`);
  const form = page.getByRole('form', { name: 'Request a refund' });
  await form.getByLabel(`Units of ${itemName} to refund`).fill(units);
  await expect(form.getByTestId('refund-total')).toBeVisible();
  await form.getByLabel('Reason').fill('Not what I expected.');
  await form.getByRole('button', { name: 'Send refund request' }).click();
  await expect(page.getByRole('heading', { name: /Refund of/ })).toBeVisible();
  return page.url();
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function setColorScheme(page: Page, scheme: 'light' | 'dark') {
  const html = page.locator('html');
  if ((await html.getAttribute('data-mantine-color-scheme')) === scheme) return;
  await page
    .getByRole('button', { name: `Switch to ${scheme} theme` })
    .first()
    .click();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', scheme);
}

/**
 * Runs axe (WCAG 2.0-2.2, A and AA) on the page as it is, in the light and in the dark theme,
 * and fails on serious or critical violations. Call it once the page's content has shown;
 * the page is left in the theme it was in.
 */
export async function expectAccessible(page: Page, what: string) {
  // Colour transitions would let axe measure a half-faded colour.
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; }' });
  const html = page.locator('html');
  const before = (await html.getAttribute('data-mantine-color-scheme')) ?? 'light';
  // Tooltips opened by the toggle's hover are not part of the page under test.
  await page.mouse.move(0, 0);
  for (const scheme of ['light', 'dark'] as const) {
    await setColorScheme(page, scheme);
    await page.mouse.move(0, 0);
    // Legacy mode runs axe inside the page; the default opens a blank tab per run to merge
    // frame results, which a loaded machine may refuse to open in time.
    const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true).analyze();
    const blocking = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        rule: v.id,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
      }));
    expect(blocking, `${what}, ${scheme} theme`).toEqual([]);
  }
  await setColorScheme(page, before === 'dark' ? 'dark' : 'light');
}
