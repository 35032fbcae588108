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
  await form.getByRole('textbox', { name: 'Category' }).click();
  await page.getByRole('option', { name: 'Damaged item' }).click();
  await form.getByLabel('Description').fill(description);
  await form.getByRole('button', { name: 'Open case' }).click();
  await expect(page.getByRole('heading', { name: subject })).toBeVisible();
  return page.url();
}
