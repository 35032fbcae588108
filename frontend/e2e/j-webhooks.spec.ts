import { expect, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectAccessible, openCase, shot, signIn } from './helpers';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** The shop's receiver: a tiny HTTP server on a free local port that answers 200 and keeps
 * what it got. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"received": true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/support`, received, server };
}

/** Standard Webhooks: v1,base64(HMAC-SHA256(key, "id.timestamp.body")), key = the secret's
 * base64 after whsec_. */
function signature(secret: string, r: Received): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`;
  return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
}

test('the admin adds a webhook endpoint, a new case is delivered to it, and sent again', async ({
  browser,
}) => {
  // Three sign-ins, a delivery and a redelivery, axe on two pages in two themes: more than
  // a minute on a busy machine (52 s measured in a full run).
  test.slow();
  const receiver = await startReceiver();
  try {
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin, 'admin@example.com');
    await admin
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Webhooks' })
      .click();
    await expect(admin.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();

    const form = admin.getByRole('form', { name: 'Add endpoint' });
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('Description').fill('The shop’s back office');
    await expect(form.getByLabel('All events')).toBeChecked();
    await form.getByRole('button', { name: 'Add endpoint' }).click();

    // The secret, once.
    const box = admin.getByRole('region', { name: /Signing secret/ });
    await expect(box).toContainText('will not be shown again');
    const secret = (await box.getByLabel('Secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    const endpoints = admin.getByRole('list', { name: 'Endpoints' });
    await expect(endpoints.getByRole('link', { name: receiver.url })).toBeVisible();
    await expect(endpoints).toContainText('All events');
    await expectAccessible(admin, 'webhooks page');
    if (process.env.SCREENS) await shot(admin, 'webhooks-secret');
    await admin.reload();
    await expect(endpoints.getByRole('link', { name: receiver.url })).toBeVisible();
    await expect(admin.getByText(secret)).toHaveCount(0);

    // Alice opens a case: support_case.created goes to the endpoint.
    const alice = await (await browser.newContext()).newPage();
    await signIn(alice, 'alice@example.com');
    await openCase(alice, 'ORD-1004', 'Teapot lid does not fit', 'The lid wobbles and falls off.');

    await endpoints.getByRole('link', { name: receiver.url }).click();
    await expect(admin.getByRole('heading', { level: 1, name: receiver.url })).toBeVisible();
    const log = admin.getByRole('table', { name: 'Deliveries' });
    const created = log.getByRole('row').filter({ hasText: 'support_case.created' });
    await expect(async () => {
      await admin.getByRole('button', { name: 'Refresh' }).click();
      await expect(created.filter({ hasText: 'Delivered' })).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(created.first()).toContainText('200');
    expect(receiver.received).toHaveLength(1);
    const [first] = receiver.received;
    expect(first!.headers['webhook-signature']).toBe(signature(secret, first!));
    expect(JSON.parse(first!.body)).toMatchObject({ type: 'support_case.created' });

    await created
      .first()
      .getByRole('button', { name: /Details of/ })
      .click();
    await expect(admin.getByLabel('Response excerpt')).toContainText('"received": true');
    await expectAccessible(admin, 'webhook endpoint page');

    // Send again: the same webhook-id and body, a second row in the log.
    await created
      .first()
      .getByRole('button', { name: /Send again/ })
      .click();
    await expect(admin.getByText(/sent again with the same webhook-id/)).toBeVisible();
    await expect(async () => {
      await admin.getByRole('button', { name: 'Refresh' }).click();
      await expect(created.filter({ hasText: 'Delivered' })).toHaveCount(2, { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    expect(receiver.received).toHaveLength(2);
    const [, second] = receiver.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    if (process.env.SCREENS) {
      // Let the toasts close: they would cover the log.
      await expect(admin.locator('.mantine-Notification-root')).toHaveCount(0, { timeout: 15_000 });
      await shot(admin, 'webhooks-endpoint-desktop');
    }

    // On a phone: one card per delivery, nothing scrolls sideways.
    const phone = await (
      await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
    ).newPage();
    await signIn(phone, 'admin@example.com');
    await phone.goto(admin.url());
    const cards = phone.getByRole('list', { name: 'Deliveries' }).getByRole('listitem');
    await expect(cards.filter({ hasText: 'support_case.created' })).toHaveCount(2);
    await cards
      .first()
      .getByRole('button', { name: /Details of/ })
      .click();
    await expect(phone.getByLabel('Response excerpt')).toBeVisible();
    // Evaluated in the page; the test files compile without the DOM's types.
    const { scrollWidth, innerWidth } = await phone.evaluate<{
      scrollWidth: number;
      innerWidth: number;
    }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
    expect(scrollWidth, 'endpoint page wider than a phone').toBeLessThanOrEqual(innerWidth);
    if (process.env.SCREENS) await shot(phone, 'webhooks-endpoint-phone');
  } finally {
    await new Promise((resolve) => receiver.server.close(resolve));
  }
});
