import { expect, test } from '@playwright/test';
import { openCase, shot, signIn } from './helpers';

// The e2e server's "low" priority promises a first reply within 5 seconds (serve.sh).
test('a case passes its first-response target and shows as breached', async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();

  await signIn(alice, 'alice@example.com');
  const caseUrl = await openCase(
    alice,
    'ORD-1005',
    'Where is my receipt?',
    'I need the invoice for my records.',
  );

  await signIn(bob, 'bob@example.com');
  await bob.goto(caseUrl);
  const sla = bob.getByRole('region', { name: /SLA/ });
  await expect(sla.getByTestId('sla-first-response')).toContainText(
    /First reply due in .* of business time/,
  );
  await bob.getByLabel('Priority').selectOption({ label: 'Low' });

  // Nobody answers: the sweep finds the case past its target and records the breach.
  await expect(async () => {
    await bob.reload();
    await expect(sla.getByTestId('sla-first-response')).toContainText(
      /First reply target breached .* ago/,
      { timeout: 1000 },
    );
  }).toPass({ timeout: 20_000 });
  await expect(sla.getByLabel('SLA: Breached')).toBeVisible();
  const history = bob.getByRole('region', { name: 'History' });
  await expect(history).toContainText('SLA target breached');

  // The list shows it among the breached cases.
  await bob.goto('/cases?sla_status=breached');
  const row = bob.getByRole('row').filter({ hasText: 'Where is my receipt?' });
  await expect(row.getByLabel('SLA: Breached')).toBeVisible();
  await shot(bob, 'case-sla-breached');

  // Alice never sees the shop's promise to itself.
  await alice.goto(caseUrl);
  await expect(alice.getByRole('region', { name: /SLA/ })).toHaveCount(0);
  await expect(alice.getByRole('region', { name: 'History' })).not.toContainText('SLA');
});
