import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible, PASSWORD, shot, signIn } from './helpers';

// Issue 17 parts 3 and 4: bob works from "My work", takes a case in one click and answers
// with a canned reply filled from the case; sam bulk-assigns and bulk-changes cases, and
// sees per case what was done and why not.

async function tokenOf(request: APIRequestContext, email: string): Promise<string> {
  const answer = await request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  expect(answer.ok()).toBeTruthy();
  return ((await answer.json()) as { access_token: string }).access_token;
}

/** Alice's cases, opened through the API: the journey is about what staff do with them. */
async function alicesCases(request: APIRequestContext, subjects: string[]) {
  const headers = { Authorization: `Bearer ${await tokenOf(request, 'alice@example.com')}` };
  const ids: Record<string, string> = {};
  for (const subject of subjects) {
    const answer = await request.post('/api/v1/support-cases', {
      headers,
      data: {
        order_id: 'ORD-1001',
        subject,
        description: `${subject}: please help.`,
        category: 'damaged_item',
      },
    });
    expect(answer.status()).toBe(201);
    ids[subject] = ((await answer.json()) as { id: string }).id;
  }
  return { ids, headers };
}

const row = (page: Page, subject: string) =>
  page.getByRole('checkbox', { name: `Select “${subject}”` });

test('bob takes a case from My work and answers with a canned reply; sam bulk-assigns and bulk-changes cases', async ({
  browser,
  request,
}) => {
  const mine = 'Queue lid cracked';
  const [b, c, d, closed] = [
    'Queue cable frayed',
    'Queue strap loose',
    'Queue box dented',
    'Queue already settled',
  ];
  const { ids, headers } = await alicesCases(request, [mine, b, c, d, closed]);
  // Alice closes one herself: a closed case takes no more changes.
  const closing = await request.patch(`/api/v1/support-cases/${ids[closed]}`, {
    headers,
    data: { status: 'closed' },
  });
  expect(closing.ok()).toBeTruthy();

  // Bob's home is his work: the unassigned cases, one click to take one.
  const bob = await (
    await browser.newContext({ viewport: { width: 1440, height: 900 } })
  ).newPage();
  await signIn(bob, 'bob@example.com');
  await expect(bob.getByRole('heading', { name: 'My work' })).toBeVisible();
  const unassigned = bob.getByRole('region', { name: 'Unassigned' });
  await expect(unassigned.getByRole('link', { name: mine })).toBeVisible();
  await expect(unassigned.getByRole('link', { name: b })).toBeVisible();
  await unassigned.getByRole('button', { name: `Assign “${mine}” to me` }).click();
  const assigned = bob.getByRole('region', { name: 'Assigned to me' });
  await expect(assigned.getByRole('link', { name: mine })).toBeVisible();
  await expect(unassigned.getByRole('link', { name: mine })).toHaveCount(0);
  // Each row says who, how pressing, how old; the due time's column is there.
  await expect(assigned.getByRole('columnheader', { name: 'Due' })).toBeVisible();
  // (Bob may have other cases of alice's: journey k gives him one.)
  const mineRow = assigned.getByRole('row').filter({ hasText: mine });
  await expect(mineRow.getByRole('link', { name: 'Alice Martin' })).toBeVisible();
  await shot(bob, 'l-queue-my-work');
  await expectAccessible(bob, 'my work');

  // Bob answers with a canned reply: "/" opens the list, the placeholders are filled.
  await assigned.getByRole('link', { name: mine }).click();
  await expect(bob.getByRole('heading', { name: mine })).toBeVisible();
  const box = bob.getByRole('textbox', { name: 'Your reply' });
  await box.click();
  await box.press('/');
  await bob.getByRole('textbox', { name: 'Search canned replies' }).fill('photo');
  await bob.getByRole('button', { name: /Photo request/ }).click();
  await expect(box).toHaveValue(/Hello Alice Martin,/);
  await expect(box).toHaveValue(/order ORD-1001/);
  await expect(box).not.toHaveValue(/\{\{/);
  await expect(bob.getByText('Will also set status:')).toContainText('Waiting on customer');
  await shot(bob, 'l-queue-canned-reply');
  await box.press('Control+Enter');

  const thread = bob.getByRole('region', { name: 'Conversation' });
  await expect(thread.getByText(/Hello Alice Martin,/)).toBeVisible();
  await expect(thread.getByText(/order ORD-1001/)).toBeVisible();
  await expect(thread).not.toContainText('{{');
  await expect(box).toHaveValue('');
  await expect(bob.locator('[data-status="waiting_on_customer"]').first()).toBeVisible();

  // A reply that cannot be filled (this case has no refund) is never sent as {{…}}.
  await bob.getByRole('button', { name: 'Canned reply' }).click();
  await bob.getByRole('textbox', { name: 'Search canned replies' }).fill('refund on its way');
  await bob.getByRole('button', { name: /Refund on its way/ }).click();
  await expect(box).toHaveValue(/\{\{refund\.total\}\}/);
  await expect(bob.getByText('Not filled in')).toBeVisible();
  await expect(
    bob.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send', exact: true }),
  ).toBeDisabled();

  // The draft survives a reload.
  await bob.reload();
  await expect(bob.getByRole('textbox', { name: 'Your reply' })).toHaveValue(
    /\{\{refund\.total\}\}/,
  );

  // Sam, a supervisor, takes three unassigned cases and gives them to bob at once.
  const sam = await (
    await browser.newContext({ viewport: { width: 1440, height: 900 } })
  ).newPage();
  await signIn(sam, 'sam@example.com');
  await expect(sam.getByRole('region', { name: 'Refunds waiting for a supervisor' })).toBeVisible();
  await sam.goto('/cases?q=Queue');
  await sam.locator('label', { hasText: /^Unassigned$/ }).click();
  await expect(sam).toHaveURL(/assignee_id=none/);
  const table = sam.getByRole('table', { name: 'Support cases' });
  await expect(table.getByRole('link', { name: mine })).toHaveCount(0);
  for (const subject of [b, c, d]) await row(sam, subject).check();
  const bar = sam.getByRole('region', { name: 'Bulk actions' });
  await expect(bar).toContainText('3 selected');
  await bar.getByRole('textbox', { name: 'Assign to' }).click();
  await sam
    .getByRole('listbox', { name: 'Assign to' })
    .getByRole('option', { name: 'Bob Agent' })
    .click();
  await bar.getByRole('button', { name: 'Assign', exact: true }).click();
  const results = sam.getByRole('region', { name: 'Bulk action results' });
  await expect(results).toContainText('3 of 3 changed');
  await expect(results).toContainText('Every selected case was changed.');
  await expect(table.getByRole('link', { name: b })).toHaveCount(0);
  await shot(sam, 'l-queue-bulk-assigned');

  // A status for a mix: the closed case is refused, and says why; the others move.
  await sam.locator('label', { hasText: /^All$/ }).click();
  await expect(sam).not.toHaveURL(/assignee_id/);
  await expect(table.getByRole('link', { name: closed })).toBeVisible();
  for (const subject of [b, c, closed]) await row(sam, subject).check();
  await bar.getByRole('textbox', { name: 'Status' }).click();
  await sam
    .getByRole('listbox', { name: 'Status' })
    .getByRole('option', { name: 'Resolved' })
    .click();
  await bar.getByRole('button', { name: 'Set status' }).click();
  await expect(results).toContainText('2 of 3 changed');
  await expect(results.getByRole('listitem')).toHaveCount(1);
  await expect(results.getByRole('listitem')).toContainText(`${closed}: not changed`);
  await expect(results.getByRole('listitem')).toContainText('a closed case is final');
  await expect(
    table.getByRole('row', { name: new RegExp(b) }).locator('[data-status="resolved"]'),
  ).toBeVisible();
  await shot(sam, 'l-queue-bulk-mixed');
  await expectAccessible(sam, 'cases with bulk results');

  // On a phone the rows are cards, each with its checkbox, and the bulk bar still shows.
  const phone = await (
    await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
  ).newPage();
  await signIn(phone, 'sam@example.com');
  await phone.goto('/cases?q=Queue');
  await row(phone, d).check();
  await expect(phone.getByRole('region', { name: 'Bulk actions' })).toContainText('1 selected');
  await expect(phone.getByRole('button', { name: 'Set priority' })).toBeInViewport();
});
