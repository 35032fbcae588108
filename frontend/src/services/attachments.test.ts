import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '@/test/render';
import { uploadAttachment, uploadProblem } from './attachments';
import { ApiError } from './http';
import { tokens } from './tokens';

/** An XMLHttpRequest that answers what the test queued, and remembers what it was sent. */
class FakeXhr {
  static answers: { status: number; body: unknown }[] = [];
  static sent: { url: string; authorization: string | null; form: FormData }[] = [];
  upload: {
    onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null;
  } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  responseText = '';
  private url = '';
  private headers = new Map<string, string>();

  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers.set(name.toLowerCase(), value);
  }
  abort() {
    this.onabort?.();
  }
  send(form: FormData) {
    FakeXhr.sent.push({
      url: this.url,
      authorization: this.headers.get('authorization') ?? null,
      form,
    });
    const answer = FakeXhr.answers.shift() ?? { status: 500, body: {} };
    this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
    this.status = answer.status;
    this.responseText = JSON.stringify(answer.body);
    queueMicrotask(() => this.onload?.());
  }
}

const fetchMock = vi.fn<(req: Request) => Promise<Response>>();
const photo = () => new File([new Uint8Array([0x89, 0x50])], 'cable.png', { type: 'image/png' });
const created = { id: 'att_1', filename: 'cable.png', url: '/api/v1/attachments/att_1' };

beforeEach(() => {
  FakeXhr.answers = [];
  FakeXhr.sent = [];
  fetchMock.mockReset();
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  vi.stubGlobal('fetch', fetchMock);
  tokens.set({ access_token: 'old-access', refresh_token: 'refresh-1', expires_in: 900 });
});
afterEach(() => {
  vi.unstubAllGlobals();
  tokens.clear();
});

describe('uploading a file', () => {
  it('sends the file as a form with the bearer token and reports its progress', async () => {
    FakeXhr.answers.push({ status: 201, body: created });
    const progress: number[] = [];
    const attachment = await uploadAttachment('case_1', photo(), {
      internal: true,
      onProgress: (share) => progress.push(share),
    });
    expect(attachment.id).toBe('att_1');
    expect(progress).toEqual([0.5]);
    const [sent] = FakeXhr.sent;
    expect(sent?.url).toMatch(/\/api\/v1\/support-cases\/case_1\/attachments$/);
    expect(sent?.authorization).toBe('Bearer old-access');
    expect((sent?.form.get('file') as File).name).toBe('cable.png');
    expect(sent?.form.get('internal')).toBe('true');
  });

  it('on a 401 refreshes the tokens and sends the file once more with the new one', async () => {
    FakeXhr.answers.push({ status: 401, body: { code: 'unauthenticated' } });
    FakeXhr.answers.push({ status: 201, body: created });
    fetchMock.mockResolvedValue(
      jsonResponse({ access_token: 'new-access', refresh_token: 'refresh-2', expires_in: 900 }),
    );
    await expect(uploadAttachment('case_1', photo())).resolves.toMatchObject({ id: 'att_1' });
    expect(FakeXhr.sent.map((s) => s.authorization)).toEqual([
      'Bearer old-access',
      'Bearer new-access',
    ]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('does not retry a second time when the refreshed token is refused too', async () => {
    FakeXhr.answers.push({ status: 401, body: { code: 'unauthenticated' } });
    FakeXhr.answers.push({ status: 401, body: { code: 'unauthenticated' } });
    fetchMock.mockResolvedValue(
      jsonResponse({ access_token: 'new-access', refresh_token: 'refresh-2', expires_in: 900 }),
    );
    const err = await uploadAttachment('case_1', photo()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(FakeXhr.sent).toHaveLength(2);
  });

  it("says why the server refused a file in the server's own words", async () => {
    FakeXhr.answers.push({
      status: 415,
      body: {
        status: 415,
        code: 'unsupported_media_type',
        detail: 'this file is not a JPEG, PNG, WebP or HEIC photo nor a PDF',
      },
    });
    const err = await uploadAttachment('case_1', photo()).catch((e: unknown) => e);
    expect(uploadProblem(err)).toBe('This file is not a JPEG, PNG, WebP or HEIC photo nor a PDF');
  });
});
