import { expect, test } from '@playwright/test';
import { openCase, shot, signIn } from './helpers';

test('bob replies to alice’s case and her open page shows it without a reload', async ({
  browser,
}) => {
  // Two browsers and a server on a shared, busy machine.
  test.setTimeout(150_000);
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();

  await signIn(alice, 'alice@example.com');
  const caseUrl = await openCase(
    alice,
    'ORD-1002',
    'Grinder stops after a few seconds',
    'The coffee grinder stops on its own after about five seconds.',
  );

  await signIn(bob, 'bob@example.com');
  await bob.goto(caseUrl);
  await expect(
    bob.getByRole('heading', { name: 'Grinder stops after a few seconds' }),
  ).toBeVisible();

  // Alice's page stays open; nothing reloads it from here on.
  let reloaded = false;
  alice.on('load', () => (reloaded = true));

  await bob.getByLabel('Your reply').fill('Thanks, could you send a photo of the label?');
  await bob.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();

  await expect(alice.getByRole('listitem', { name: /Message by Support/ })).toContainText(
    'photo of the label',
  );
  await expect(
    alice.getByText('Support replied on case “Grinder stops after a few seconds”.'),
  ).toBeVisible();
  await shot(alice, 'live-reply-toast');

  // Alice answers; Bob's open page shows it with her name in the toast.
  await alice.getByLabel('Your reply').fill('Here it is: the label says GR-7.');
  await alice.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();
  await expect(
    bob
      .getByRole('listitem', {
        name: /Message by Customer/,
      })
      .last(),
  ).toContainText('GR-7');
  await expect(
    bob.getByText('Alice Martin replied on case “Grinder stops after a few seconds”.'),
  ).toBeVisible();

  // Alice starts another reply; Bob changes the case meanwhile: she is warned.
  await alice.getByLabel('Your reply').fill('One more thing');
  await bob.getByLabel('Status').selectOption({ label: 'Waiting on customer' });
  await expect(alice.getByText('This case was changed by Support — reload to see.')).toBeVisible();
  await expect(alice.locator('[data-status="waiting_on_customer"]')).toBeVisible();
  await shot(alice, 'live-edit-warning');

  expect(reloaded).toBe(false);
});
