import { expect, test, type Page } from '@playwright/test';
import { crc32, deflateSync } from 'node:zlib';
import { expectAccessible, openCase, shot, signIn } from './helpers';

/** A small real PNG of one colour, made here so the journey needs no fixture files. */
function png(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
    '2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

async function attach(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  await page.getByLabel('Attach photos or PDFs').setInputFiles(files);
  const picked = page.getByRole('list', { name: 'Files to send' });
  for (const file of files) {
    await expect(picked.getByRole('listitem', { name: file.name })).toContainText('Uploaded');
  }
}

test('alice shows the damaged cables in photos; bob sees them and keeps a PDF for staff', async ({
  browser,
}) => {
  test.slow(); // two people, two sign-ins, three uploads and axe in both themes
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();

  await signIn(alice, 'alice@example.com');
  const caseUrl = await openCase(
    alice,
    'ORD-1001',
    'Damaged cables',
    'Two of the USB-C cables arrived with split insulation.',
  );

  // Alice writes with two photos: picked, uploaded with progress, sent with the message.
  await alice.getByLabel('Your reply').fill('Here are photos of the two cables.');
  await attach(alice, [
    { name: 'cable-1.png', mimeType: 'image/png', buffer: png(64, 48, [200, 40, 40]) },
    { name: 'cable-2.png', mimeType: 'image/png', buffer: png(48, 64, [40, 40, 200]) },
  ]);
  await alice.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Send' }).click();
  const sent = alice.getByRole('listitem', { name: /Message by You/ });
  await expect(sent).toContainText('photos of the two cables');
  await expect(sent.getByRole('button', { name: 'Open cable-1.png' })).toBeVisible();
  await expect(sent.getByRole('button', { name: 'Open cable-2.png' })).toBeVisible();
  await expect(sent.locator('img').first()).toHaveJSProperty('complete', true);
  await expectAccessible(alice, 'case page with photos');

  // Bob sees the thumbnails and opens one in the viewer.
  await signIn(bob, 'bob@example.com');
  await bob.goto(caseUrl);
  const fromAlice = bob.getByRole('listitem', { name: /Message by Customer|Message by Alice/ });
  await fromAlice.getByRole('button', { name: 'Open cable-2.png' }).click();
  const viewer = bob.getByRole('dialog', { name: 'cable-2.png' });
  await expect(viewer.getByRole('img', { name: 'cable-2.png' })).toBeVisible();
  expect(
    await viewer.getByRole('img', { name: 'cable-2.png' }).evaluate((img) => {
      const shown = img as unknown as { naturalWidth: number; naturalHeight: number };
      return [shown.naturalWidth, shown.naturalHeight];
    }),
  ).toEqual([48, 64]);
  await expect(viewer.getByRole('link', { name: 'Download' })).toBeVisible();
  await shot(bob, 'attachment-viewer');
  await bob.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expectAccessible(bob, 'case page with photos, staff');

  // Bob keeps the carrier's report on an internal note.
  await bob.getByRole('checkbox', { name: 'Internal note' }).check();
  await bob.getByLabel(/Internal note \(customers never see it\)/).fill("The carrier's report.");
  await attach(bob, [{ name: 'carrier-report.pdf', mimeType: 'application/pdf', buffer: PDF }]);
  await bob.getByRole('button', { name: 'Add note' }).click();
  const note = bob.getByRole('listitem', { name: /Internal note by You/ });
  await expect(note.getByRole('button', { name: 'Open carrier-report.pdf' })).toBeVisible();

  // Alice never sees the note nor its file.
  await alice.reload();
  await expect(alice.getByRole('button', { name: 'Open cable-1.png' })).toBeVisible();
  await expect(alice.getByText("The carrier's report.")).toHaveCount(0);
  await expect(alice.getByText('carrier-report.pdf')).toHaveCount(0);
  await shot(alice, 'case-with-photos-alice');
});
