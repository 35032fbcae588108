/**
 * The files picked for one message, as they upload: pure steps, so the rules (at most ten
 * per message, nothing empty or too large sent at all) are tested without a browser.
 */
import { MAX_FILES_PER_MESSAGE } from './attachments';
import type { Attachment } from './types';

export interface PendingUpload {
  key: string;
  file: File;
  /** Share of the bytes sent, 0 to 1. */
  progress: number;
  attachment?: Attachment;
  error?: string;
}

let counter = 0;
const nextKey = () => `upload-${++counter}`;

/** Adds picked files: each becomes a pending upload, or a refused one that is never sent. */
export function addPicked(
  list: PendingUpload[],
  files: File[],
  refusalOf: (file: File) => string | null,
): { next: PendingUpload[]; started: PendingUpload[] } {
  const room = MAX_FILES_PER_MESSAGE - list.filter((p) => !p.error).length;
  const started: PendingUpload[] = [];
  const added: PendingUpload[] = files.map((file) => {
    const refusal = refusalOf(file);
    if (refusal) return { key: nextKey(), file, progress: 0, error: refusal };
    if (started.length >= room) {
      return {
        key: nextKey(),
        file,
        progress: 0,
        error: `A message takes at most ${MAX_FILES_PER_MESSAGE} files; ${file.name} was not added.`,
      };
    }
    const item = { key: nextKey(), file, progress: 0 };
    started.push(item);
    return item;
  });
  return { next: [...list, ...added], started };
}

export function progressed(list: PendingUpload[], key: string, share: number): PendingUpload[] {
  return list.map((p) => (p.key === key ? { ...p, progress: Math.min(1, share) } : p));
}

export function finished(
  list: PendingUpload[],
  key: string,
  attachment: Attachment,
): PendingUpload[] {
  return list.map((p) => (p.key === key ? { ...p, progress: 1, attachment } : p));
}

export function failed(list: PendingUpload[], key: string, error: string): PendingUpload[] {
  return list.map((p) => (p.key === key ? { ...p, error } : p));
}

export function removed(list: PendingUpload[], key: string): PendingUpload[] {
  return list.filter((p) => p.key !== key);
}

/** The files of one message being written, as the reply box uses them. */
export interface Uploads {
  pending: PendingUpload[];
  add: (files: File[], internal?: boolean) => void;
  remove: (key: string) => void;
  clear: () => void;
  /** The uploaded files' ids, for the message to name. */
  ids: string[];
  /** Some file is still on its way. */
  busy: boolean;
}
