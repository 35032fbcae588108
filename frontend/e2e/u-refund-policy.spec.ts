import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible, PASSWORD, requestRefund, shot, signIn } from './helpers';

// Issue 18 part 6: the refund policy as data. The grinder of ORD-1002 was delivered 20 days
// ago: outside the default 14-day window, inside a 30-day one.

async function headersOf(request: APIRequestContext, email: string) {
  const answer = await request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  expect(answer.ok()).toBeTruthy();
  const { access_token } = (await answer.json()) as { access_token: string };
  return { Authorization: `Bearer ${access_token}` };
}

/** Publishes version 1's rules again, so the journeys after this one (one server, run in file
 * order) decide under the default policy. */
async function restoreOriginalRules(request: APIRequestContext) {
  const headers = await headersOf(request, 'admin@example.com');
  const current = (await (await request.get('/api/v1/refund-policy', { headers })).json()) as {
    version: number;
  };
  if (current.version === 1) return;
  const versions = (await (
    await request.get('/api/v1/refund-policy/versions', { headers })
  ).json()) as { items: Record<string, unknown>[] };
  const first = versions.items.find((v) => v.version === 1);
  expect(first).toBeDefined();
  const rules = Object.fromEntries(
    Object.entries(first!).filter(
      ([k]) => !['version', 'note', 'created_at', 'created_by'].includes(k),
    ),
  );
  const answer = await request.post('/api/v1/refund-policy', {
    headers: { ...headers, 'If-Match': `"${current.version}"` },
    data: { ...rules, note: 'Back to the default rules after journey u' },
  });
  expect(answer.status()).toBe(201);
}

/** Alice asks for the grinder back on her case (again, after a rejection). */
async function askForTheGrinder(alice: Page, caseUrl: string) {
  await alice.goto(caseUrl);
  const form = alice.getByRole('form', { name: 'Request a refund' });
  await form.getByLabel('Units of Coffee Grinder to refund').fill('1');
  await expect(form.getByTestId('refund-total')).toBeVisible();
  await form.getByLabel('Reason').fill('It grinds unevenly; I would like my money back.');
  await form.getByRole('button', { name: 'Send refund request' }).click();
  await expect(alice.getByRole('heading', { name: /Refund of/ })).toBeVisible();
  return alice.url();
}

// Even when the journey fails half-way: the journeys after it expect the default window.
test.afterEach(async ({ request }) => restoreOriginalRules(request));

test('an admin changes the window to 30 days and sees the dry run first', async ({
  browser,
  request,
}) => {
  // ORD-1002 has one grinder: a refund that holds it (journey d settles it, in the same
  // service) leaves nothing for alice to ask for.
  const order = (await (
    await request.get('/api/v1/orders/ORD-1002', {
      headers: await headersOf(request, 'alice@example.com'),
    })
  ).json()) as { lines: { sku: string; refundable_quantity: number }[] };
  expect(
    order.lines.find((l) => l.sku === 'GR-7')?.refundable_quantity,
    'the grinder of ORD-1002 is still refundable',
  ).toBe(1);
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  const firstUrl = await requestRefund(alice, 'ORD-1002', 'Coffee Grinder', '1');
  const firstId = firstUrl.split('/').pop()!;
  const caseUrl = new URL(
    (await alice.getByRole('link', { name: '← Case' }).getAttribute('href'))!,
    firstUrl,
  ).toString();

  // Under version 1 (14 days) bob may not approve: he rejects.
  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, 'bob@example.com');
  await bob.goto(firstUrl);
  await expect(bob.getByText(/delivered 20 days ago, outside the window by 6 days/)).toBeVisible();
  await expect(bob.getByRole('button', { name: /Approve and refund/ })).toHaveCount(0);
  await bob.getByRole('tab', { name: 'Reject' }).click();
  const reject = bob.getByRole('form', { name: 'Reject the refund' });
  await reject.getByLabel('Reason for rejecting').fill('Outside our 14-day refund window.');
  await reject.getByRole('button', { name: 'Reject refund' }).click();
  await expect(bob.locator('[data-status="rejected"]')).toBeVisible();
  await expect(bob.getByTestId('refund-decision')).toHaveText(
    /Rejected under policy v1: delivered 20 days ago, outside the 14-day window/,
  );

  // The admin tries a 30-day window on the last 30 days before publishing it.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@example.com');
  await admin
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Refund policy' })
    .click();
  await expect(admin.getByTestId('policy-in-force')).toHaveText(
    "Version 1: the service's settings",
  );
  const draft = admin.getByRole('form', { name: 'Policy draft' });
  const publish = draft.getByRole('button', { name: 'Publish as version 2' });
  await expect(publish).toBeDisabled();
  await draft.getByLabel('Refund window (days)').fill('30');
  await draft.getByRole('button', { name: 'Try on the last 30 days' }).click();
  await expect(admin.getByTestId('dry-run-summary')).toHaveText(
    /^\d+ decisions? in the last 30 days; \d+ would change$/,
  );
  const row = admin
    .getByRole('table', { name: 'Dry run' })
    .getByRole('row')
    .filter({ has: admin.getByRole('link', { name: firstId }) });
  await expect(row).toContainText('Rejected by an agent');
  await expect(row).toContainText('could be approved');
  await expect(publish).toBeEnabled();
  await expectAccessible(admin, 'refund policy page with a dry run');
  await shot(admin, 'refund-policy-dry-run');

  // A change after the dry run asks for a new one.
  await draft.getByLabel('Lost in transit after (days)').fill('11');
  await expect(publish).toBeDisabled();
  await draft.getByLabel('Lost in transit after (days)').fill('10');
  await expect(publish).toBeEnabled();

  await publish.click();
  const confirm = admin.getByRole('dialog', { name: 'Publish version 2 of the refund policy?' });
  await confirm.getByLabel(/Note for the history/).fill('A 30-day window, as the shop promises');
  await confirm.getByRole('button', { name: 'Publish version 2' }).click();
  await expect(admin.getByTestId('policy-in-force')).toHaveText(
    /^Version 2, published by Ada Admin on .+: A 30-day window, as the shop promises$/,
  );
  await expect(admin.getByRole('table', { name: 'Policy versions' })).toContainText(
    'window 14 → 30 days',
  );

  // Alice asks again; under version 2 bob approves.
  const againUrl = await askForTheGrinder(alice, caseUrl);
  await bob.goto(againUrl);
  await bob.getByRole('button', { name: /Approve and refund/ }).click();
  await expect(bob.locator('[data-status="refunded"]')).toBeVisible({ timeout: 20_000 });
  await expect(bob.getByTestId('refund-decision')).toHaveText(
    /Approved under policy v2: delivered 20 days ago, window 30 days; amount /,
  );
  await shot(bob, 'refund-approved-under-policy-v2');
  // The policy is staff business: alice reads the status.
  await alice.goto(againUrl);
  await expect(alice.locator('[data-status="refunded"]')).toBeVisible();
  await expect(alice.getByTestId('refund-decision')).toHaveCount(0);
});
