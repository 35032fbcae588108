/**
 * Files on a case. Uploads go through XMLHttpRequest, the one browser API that reports
 * upload progress; everything else through the typed client. Downloads are fetched with the
 * bearer token (an <img src> cannot send it) and shown from a blob: URL.
 */
import { api, API_BASE, ApiError, authFetch, refreshTokens, toApiError, unwrap } from './http';
import { tokens } from './tokens';
import type { Attachment } from './types';

/** The same limits as the API's (ATTACHMENT_MAX_BYTES default, files per message). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES_PER_MESSAGE = 10;
/** What the picker offers; the server decides by the content, whatever a file is called. */
export const ACCEPTED_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'image/heif',
  'application/pdf',
];

const ORIGIN = globalThis.location?.origin ?? '';

export function listAttachments(caseId: string): Promise<Attachment[]> {
  return unwrap(
    api.GET('/api/v1/support-cases/{case_id}/attachments', {
      params: { path: { case_id: caseId } },
    }),
  );
}

/** An admin redacts a file; its uploader takes back one that no message names yet. */
export function removeAttachment(attachmentId: string): Promise<void> {
  return unwrap(
    api.DELETE('/api/v1/attachments/{attachment_id}', {
      params: { path: { attachment_id: attachmentId } },
    }),
  ).then(() => undefined);
}

/** The file's bytes (following the storage's signed URL, if it sends one). */
export async function fetchAttachment(attachment: Pick<Attachment, 'url'>): Promise<Blob> {
  const res = await authFetch(new Request(`${ORIGIN}${attachment.url}`));
  if (!res.ok) throw toApiError(res.status === 599 ? 0 : res.status, await problemOf(res));
  return res.blob();
}

async function problemOf(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

export interface UploadOptions {
  internal?: boolean;
  /** Called with the share of the file sent so far, 0 to 1. */
  onProgress?: (sent: number) => void;
  signal?: AbortSignal;
}

/** Uploads one file to a case; on a 401 the tokens are refreshed and it is sent once more. */
export async function uploadAttachment(
  caseId: string,
  file: File,
  options: UploadOptions = {},
): Promise<Attachment> {
  const first = await send(caseId, file, options);
  if (first.status !== 401 || !(await refreshTokens())) return answer(first);
  return answer(await send(caseId, file, options));
}

interface Sent {
  status: number;
  body: unknown;
}

function send(caseId: string, file: File, options: UploadOptions): Promise<Sent> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(
      'POST',
      `${ORIGIN}${API_BASE}/support-cases/${encodeURIComponent(caseId)}/attachments`,
    );
    if (tokens.accessToken) xhr.setRequestHeader('Authorization', `Bearer ${tokens.accessToken}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) options.onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, body: parse(xhr.responseText) });
    xhr.onerror = () => resolve({ status: 0, body: null });
    xhr.onabort = () => resolve({ status: 0, body: { code: 'aborted', detail: 'Cancelled.' } });
    options.signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file, file.name);
    if (options.internal) form.append('internal', 'true');
    xhr.send(form);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function answer(sent: Sent): Attachment {
  if (sent.status >= 200 && sent.status < 300) return sent.body as Attachment;
  throw toApiError(sent.status, sent.body);
}

/** Why a picked file is not sent at all: the checks the API would make first anyway. */
export function refusalOf(file: File): string | null {
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > MAX_FILE_BYTES) return `${file.name} is larger than 10 MB.`;
  return null;
}

/** What went wrong with an upload, in words: the server's own for a refused file. */
export function uploadProblem(err: unknown): string {
  if (err instanceof ApiError) {
    if ([413, 415, 422].includes(err.status) && err.detail) {
      return err.detail.charAt(0).toUpperCase() + err.detail.slice(1);
    }
    return err.plainMessage;
  }
  return 'The upload failed.';
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
