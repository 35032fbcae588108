import { expect, test, type Browser, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ARTIFACTS, openCase, signIn } from './helpers';

// A visual tour for people reviewing the UI: `SCREENS=1 npx playwright test e2e/z-screens`.
// Every role's main pages at 1440×900 and at 390×844, each in the light and the dark theme,
// saved as e2e/artifacts/tour-<viewport>-<theme>-<role>-<page>.png.
test.skip(!process.env.SCREENS, 'screenshots only on request');
test.describe.configure({ mode: 'serial' });

const VIEWPORTS = {
  desktop: { viewport: { width: 1440, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} as const;
const THEMES = ['light', 'dark'] as const;

type Viewport = keyof typeof VIEWPORTS;
type Theme = (typeof THEMES)[number];

/** What the tour's pages show, made once by the first test. */
const made = { caseUrl: '', refundUrl: '', endpointUrl: '' };
let receiver: Server | undefined;

async function newPage(browser: Browser, vp: Viewport, theme: Theme): Promise<Page> {
  const context = await browser.newContext({ ...VIEWPORTS[vp], colorScheme: theme });
  const page = await context.newPage();
  // The theme follows the system's (a fresh context has no saved choice).
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', theme);
  return page;
}

async function settle(page: Page) {
  await expect(page.locator('h1').first()).toBeVisible();
  await expect(page.locator('.mantine-Skeleton-root')).toHaveCount(0, { timeout: 15_000 });
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; }' });
  await page.mouse.move(0, 0);
}

async function snap(page: Page, vp: Viewport, theme: Theme, role: string, name: string) {
  await settle(page);
  await page.screenshot({
    path: join(ARTIFACTS, `tour-${vp}-${theme}-${role}-${name}.png`),
    fullPage: true,
  });
}

test('screens: the data the tour shows', async ({ browser }) => {
  test.slow();
  // A receiver for the admin's webhook endpoint, so its log has a delivery to show.
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"received": true}');
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@example.com');
  await admin.goto('/admin/webhooks');
  const form = admin.getByRole('form', { name: 'Add endpoint' });
  await form.getByLabel('URL').fill(`http://127.0.0.1:${port}/hooks/support`);
  await form.getByLabel('Description').fill('The shop’s back office');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  const endpoints = admin.getByRole('list', { name: 'Endpoints' });
  await endpoints.getByRole('link').first().click();
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('/hooks/support');
  made.endpointUrl = admin.url();

  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  made.caseUrl = await openCase(
    alice,
    'ORD-1001',
    'Cables do not charge',
    'Two of three cables are dead.',
  );
  const reply = alice.getByRole('form', { name: 'Reply' });
  await reply.getByLabel('Your reply').fill('The third one charges only slowly.');
  await reply.getByRole('button', { name: 'Send' }).click();
  const refund = alice.getByRole('form', { name: 'Request a refund' });
  await refund.getByLabel('Units of USB-C Cable to refund').fill('2');
  await expect(refund.getByTestId('refund-total')).toBeVisible();
  await refund.getByLabel('Reason').fill('Dead on arrival.');
  await refund.getByRole('button', { name: 'Send refund request' }).click();
  await expect(alice.getByRole('heading', { name: /Refund of/ })).toBeVisible();
  made.refundUrl = alice.url();

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, 'bob@example.com');
  await bob.goto(made.caseUrl);
  const note = bob.getByRole('form', { name: 'Reply' });
  await note.getByLabel('Internal note').check();
  await note.getByRole('textbox').fill('Customer is a regular; be generous.');
  await note.getByRole('button', { name: 'Add note' }).click();
  await expect(bob.getByRole('listitem', { name: /Internal note/ })).toBeVisible();
});

for (const vp of Object.keys(VIEWPORTS) as Viewport[]) {
  for (const theme of THEMES) {
    test(`screens: every role's main pages, ${vp}, ${theme} theme`, async ({ browser }) => {
      test.setTimeout(10 * 60_000);
      expect(made.caseUrl, 'the first test made the data').not.toBe('');

      const alice = await newPage(browser, vp, theme);
      await snap(alice, vp, theme, 'anyone', 'login');
      await signIn(alice, 'alice@example.com');
      await snap(alice, vp, theme, 'customer', 'orders');
      if (vp === 'phone') {
        await alice.getByRole('button', { name: 'Toggle navigation' }).click();
        await expect(alice.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
        await snap(alice, vp, theme, 'customer', 'navigation');
        await alice.getByRole('button', { name: 'Toggle navigation' }).click();
      }
      for (const [name, path] of [
        ['order', '/orders/ORD-1001'],
        ['case', made.caseUrl],
        ['refund', made.refundUrl],
        ['cases', '/cases'],
        ['refunds', '/refunds'],
      ] as const) {
        await alice.goto(path);
        await snap(alice, vp, theme, 'customer', name);
      }

      const bob = await newPage(browser, vp, theme);
      await signIn(bob, 'bob@example.com');
      await snap(bob, vp, theme, 'agent', 'dashboard');
      for (const [name, path] of [
        ['cases', '/cases'],
        ['case', made.caseUrl],
        ['queue', '/refunds/queue'],
        ['refund', made.refundUrl],
        ['refunds', '/refunds'],
        ['notifications', '/settings/notifications'],
      ] as const) {
        await bob.goto(path);
        await snap(bob, vp, theme, 'agent', name);
      }

      const sam = await newPage(browser, vp, theme);
      await signIn(sam, 'sam@example.com');
      await snap(sam, vp, theme, 'supervisor', 'dashboard');
      await sam.goto('/refunds/queue');
      await snap(sam, vp, theme, 'supervisor', 'queue');

      const admin = await newPage(browser, vp, theme);
      await signIn(admin, 'admin@example.com');
      for (const [name, path] of [
        ['users', '/users'],
        ['webhooks', '/admin/webhooks'],
        ['webhook-endpoint', made.endpointUrl],
        ['outbox', '/admin/outbox'],
        ['mail', '/admin/mail'],
      ] as const) {
        await admin.goto(path);
        await snap(admin, vp, theme, 'admin', name);
      }
      for (const page of [alice, bob, sam, admin]) await page.context().close();
    });
  }
}

test.afterAll(() => {
  receiver?.close();
});
