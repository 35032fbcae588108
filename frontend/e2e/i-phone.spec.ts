import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, openCase, signIn } from './helpers';

// Runs in the "phone" project (390×844). Every amount must show without a sideways scroll.

async function expectNoSidewaysScroll(page: Page, what: string) {
  // Evaluated in the page; the test files compile without the DOM's types.
  const { scrollWidth, innerWidth } = await page.evaluate<{
    scrollWidth: number;
    innerWidth: number;
  }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
  expect(scrollWidth, `${what}: page wider than the screen`).toBeLessThanOrEqual(innerWidth);
}

/** The element lies wholly inside the screen's width (not cut off by a scroll container). */
async function expectWithinScreen(page: Page, locator: ReturnType<Page['locator']>) {
  await expect(locator).toBeVisible();
  const width = page.viewportSize()?.width ?? 0;
  // Polled: a page that re-renders as its data settles replaces the element for a moment.
  await expect
    .poll(async () => {
      const box = await locator.boundingBox();
      if (box === null) return 'not laid out';
      const [left, right] = [box.x, box.x + box.width];
      return left >= 0 && right <= width ? 'within the screen' : `from ${left} to ${right}`;
    })
    .toBe('within the screen');
}

test('on a phone carol sees every amount of her order and refund, and bob acts right after the summary', async ({
  page,
  browser,
}) => {
  await signIn(page, 'carol@example.com');
  await page.goto('/orders/ORD-2001');
  const lines = page.getByRole('list', { name: 'Order lines' });
  await expectWithinScreen(page, lines.getByText('€142.79'));
  await expectWithinScreen(page, lines.getByText('Refundable').first());
  await expectNoSidewaysScroll(page, 'order page');

  const caseUrl = await openCase(
    page,
    'ORD-2001',
    'Shoes are two sizes small',
    'The running shoes are far smaller than the size on the box.',
  );
  await expectNoSidewaysScroll(page, 'case page');
  const form = page.getByRole('form', { name: 'Request a refund' });
  await form.getByLabel('Units of Running Shoes to refund').fill('1');
  await expectWithinScreen(page, form.getByTestId('refund-total'));
  await form.getByLabel('Reason').fill('Too small.');
  await form.getByRole('button', { name: 'Send refund request' }).click();
  await expect(page.getByRole('heading', { name: /Refund of/ })).toBeVisible();
  const refundUrl = page.url();
  await expectWithinScreen(page, page.getByTestId('refund-total'));
  await expectWithinScreen(
    page,
    page.getByRole('list', { name: 'Order lines' }).getByText('€142.79'),
  );
  await expectNoSidewaysScroll(page, 'refund page');
  await expectAccessible(page, 'refund page on a phone');

  await page.goto('/cases');
  const cases = page
    .getByRole('list', { name: 'My cases' })
    .or(page.getByRole('list', { name: 'Support cases' }));
  const card = cases.getByRole('listitem').filter({ hasText: 'Shoes are two sizes small' });
  await expectWithinScreen(page, card.getByText(/order ORD-2001/));
  await expectWithinScreen(page, card.getByText(/Opened /));
  await expectNoSidewaysScroll(page, 'case list');

  await page.goto('/refunds');
  const refund = page.getByRole('list', { name: 'Refunds' }).getByRole('listitem').first();
  await expectWithinScreen(page, refund.getByText('€142.79'));
  await expectNoSidewaysScroll(page, 'refund list');

  const bob = await (
    await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
  ).newPage();
  await signIn(bob, 'bob@example.com');
  await bob.goto(refundUrl);
  const approve = bob.getByRole('button', { name: 'Approve and refund' });
  await expect(approve).toBeVisible();
  const order = bob.getByRole('region', { name: 'Order ORD-2001' });
  // The decision comes before the order and the history, right after the summary.
  expect((await approve.boundingBox())!.y).toBeLessThan((await order.boundingBox())!.y);
  await expectNoSidewaysScroll(bob, 'refund page, agent');

  // The case page too: bob's controls come right after the customer's words, before the
  // conversation, the refunds and the history.
  await bob.goto(caseUrl);
  const handle = bob.getByRole('region', { name: 'Case actions' });
  await expect(handle.getByText('Handle case')).toBeVisible();
  const conversation = bob.getByRole('region', { name: 'Conversation' });
  const history = bob.getByRole('region', { name: 'History' });
  const top = async (l: typeof handle) => (await l.boundingBox())!.y;
  expect(await top(handle)).toBeLessThan(await top(conversation));
  expect(await top(handle)).toBeLessThan(await top(history));
  await expectNoSidewaysScroll(bob, 'case page, agent');
});

test('on a phone alice opens a case, picking its category, and is not asked for a priority', async ({
  page,
}) => {
  await signIn(page, 'alice@example.com');
  await page.goto('/orders/ORD-1001');
  const form = page.getByRole('form', { name: 'Open a case' });
  await expect(form.getByLabel('Subject')).toBeVisible();
  // The team sets how urgent a case is; a customer is not asked.
  await expect(form.getByText('Priority')).toHaveCount(0);
  await openCase(page, 'ORD-1001', 'Cable is frayed', 'The cable’s sleeve split after a day.');
  await expect(page.getByText('Damaged item', { exact: false }).first()).toBeVisible();
  await expect(page.getByText('Normal', { exact: true }).first()).toBeVisible();
  await expectNoSidewaysScroll(page, 'case page');
});

test('on a phone the admin sees every user as a card, with the role and the Deactivate button in view', async ({
  page,
}) => {
  await signIn(page, 'admin@example.com');
  await page.goto('/users');
  const users = page.getByRole('list', { name: 'Users' });
  const bob = users.getByRole('listitem').filter({ hasText: 'bob@example.com' });
  // Staff's role is a choice the admin can change; a customer's is a plain badge.
  const role = bob.getByRole('combobox', { name: 'Role of bob@example.com' });
  await expect(role).toHaveValue('agent');
  await expectWithinScreen(page, role);
  const carol = users.getByRole('listitem').filter({ hasText: 'carol@example.com' });
  await expectWithinScreen(page, carol.getByText('Customer', { exact: true }));
  await expectWithinScreen(page, bob.getByRole('button', { name: 'Deactivate bob@example.com' }));
  await expectNoSidewaysScroll(page, 'users page');
});
