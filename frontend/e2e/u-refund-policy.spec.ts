import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible, openCase, PASSWORD, shot, signIn } from './helpers';

// Issue 18 part 6: the refund policy as data. ORD-1002 was delivered 20 days ago: outside the
// default 14-day window, inside a 30-day one.

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

/** Bob gives alice €5 on her case: an amount, which holds no units (journey d settles
 * ORD-1002's only grinder before this journey in the same service). */
async function giveFiveEuros(bob: Page, caseUrl: string) {
  await bob.goto(caseUrl);
  await bob.locator('label', { hasText: /^An amount$/ }).click();
  const form = bob.getByRole('form', { name: 'Give an amount' });
  await form.getByLabel(/Amount/).fill('5.00');
  await form.getByLabel('Cause').selectOption({ label: 'Late delivery' });
  await form.getByLabel(/Note/).fill('Sorry the parcel was late: €5 back as a gesture.');
  await form.getByRole('button', { name: 'Give this amount' }).click();
  await expect(bob.getByTestId('refund-total')).toHaveText('€5.00');
  return bob.url();
}

// Even when the journey fails half-way: the journeys after it expect the default window.
test.afterEach(async ({ request }) => restoreOriginalRules(request));

test('an admin changes the window to 30 days and sees the dry run first', async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice@example.com');
  const caseUrl = await openCase(
    alice,
    'ORD-1002',
    'The grinder came late',
    'It arrived a week after the date you gave me.',
  );

  // Under version 1 (14 days) the gateway is closed to ORD-1002: bob records store credit.
  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, 'bob@example.com');
  const firstUrl = await giveFiveEuros(bob, caseUrl);
  const firstId = firstUrl.split('/').pop()!;
  await expect(bob.getByText(/delivered 20 days ago, outside the window by 6 days/)).toBeVisible();
  await expect(bob.getByRole('button', { name: /Approve and refund/ })).toHaveCount(0);
  await bob.getByRole('tab', { name: 'Record a settlement' }).click();
  const settle = bob.getByRole('form', { name: 'Record a settlement' });
  await settle.getByLabel(/Amount/).fill('5.00');
  await settle.getByLabel('Note').fill('Store credit: the card refund window has closed.');
  await settle.getByRole('button', { name: 'Record settlement' }).click();
  await expect(bob.locator('[data-status="settled"]')).toBeVisible();
  await expect(bob.getByTestId('refund-decision')).toHaveText(
    // (journey d settled €30 on this order before, in the same service: its words count it)
    /Settled under policy v1: settlement of €5(, €35 with the order's other refunds,)? within the agent limit for settlements of €500 \(delivered 20 days ago, outside the 14-day window\)/,
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
  await expect(row).toContainText('Settled by an agent');
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

  // Under version 2 bob gives the €5 through the gateway.
  const againUrl = await giveFiveEuros(bob, caseUrl);
  await bob.getByRole('button', { name: /Approve and refund/ }).click();
  await expect(bob.locator('[data-status="refunded"]')).toBeVisible({ timeout: 20_000 });
  await expect(bob.getByTestId('refund-decision')).toHaveText(
    /Approved under policy v2: delivered 20 days ago, window 30 days; amount €5(, €\d+ with the order's other refunds,)? within the agent limit for amount refunds of €500/,
  );
  await shot(bob, 'refund-approved-under-policy-v2');
  // The policy is staff business: alice reads the status.
  await alice.goto(againUrl);
  await expect(alice.locator('[data-status="refunded"]')).toBeVisible();
  await expect(alice.getByTestId('refund-decision')).toHaveCount(0);
});
