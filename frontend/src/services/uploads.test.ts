import { describe, expect, it } from 'vitest';
import { refusalOf } from './attachments';
import { addPicked, failed, finished, progressed, removed, type PendingUpload } from './uploads';
import type { Attachment } from './types';

const file = (name: string, size = 100, type = 'image/png') =>
  new File([new Uint8Array(size)], name, { type });

const attachment = (id: string): Attachment =>
  ({ id, filename: 'a.png', url: `/api/v1/attachments/${id}` }) as Attachment;

describe('picking files for a message', () => {
  it('starts an upload for each file that may be sent', () => {
    const { next, started } = addPicked([], [file('a.png'), file('b.pdf')], refusalOf);
    expect(started.map((p) => p.file.name)).toEqual(['a.png', 'b.pdf']);
    expect(next).toHaveLength(2);
    expect(next.every((p) => p.progress === 0 && !p.error)).toBe(true);
  });

  it('never sends an empty file or one over 10 MB, and says why', () => {
    const { next, started } = addPicked(
      [],
      [file('empty.png', 0), file('huge.pdf', 10 * 1024 * 1024 + 1)],
      refusalOf,
    );
    expect(started).toEqual([]);
    expect(next.map((p) => p.error)).toEqual([
      'empty.png is empty.',
      'huge.pdf is larger than 10 MB.',
    ]);
  });

  it('takes at most ten files per message; the eleventh is listed as not added', () => {
    const nine = addPicked(
      [],
      Array.from({ length: 9 }, (_, n) => file(`${n}.png`)),
      refusalOf,
    );
    const { next, started } = addPicked(nine.next, [file('9.png'), file('10.png')], refusalOf);
    expect(started.map((p) => p.file.name)).toEqual(['9.png']);
    expect(next.at(-1)?.error).toMatch(/at most 10 files; 10.png was not added/);
  });

  it('a refused file does not take a place among the ten', () => {
    const refused = addPicked([], [file('empty.png', 0)], refusalOf);
    const { started } = addPicked(
      refused.next,
      Array.from({ length: 10 }, (_, n) => file(`${n}.png`)),
      refusalOf,
    );
    expect(started).toHaveLength(10);
  });
});

describe('an upload on its way', () => {
  const one = (): PendingUpload[] => addPicked([], [file('a.png')], refusalOf).next;

  it('shows its progress, and is done when the server named the file', () => {
    let list = one();
    const key = list[0]!.key;
    list = progressed(list, key, 0.5);
    expect(list[0]!.progress).toBe(0.5);
    list = finished(list, key, attachment('att_1'));
    expect(list[0]).toMatchObject({ progress: 1, attachment: { id: 'att_1' } });
  });

  it('keeps the reason a file was refused beside it', () => {
    const list = one();
    expect(failed(list, list[0]!.key, 'Not a photo.')[0]!.error).toBe('Not a photo.');
  });

  it('leaves the list when taken out', () => {
    const list = one();
    expect(removed(list, list[0]!.key)).toEqual([]);
  });
});
