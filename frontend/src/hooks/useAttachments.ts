import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import {
  fetchAttachment,
  listAttachments,
  refusalOf,
  removeAttachment,
  uploadAttachment,
  uploadProblem,
} from '@/services/attachments';
import type { Attachment } from '@/services/types';
import {
  addPicked,
  finished,
  failed,
  progressed,
  removed,
  type PendingUpload,
  type Uploads,
} from '@/services/uploads';
import { keys } from './keys';

export function useCaseAttachments(caseId: string | undefined) {
  return useQuery({
    queryKey: keys.cases.attachments(caseId ?? ''),
    queryFn: () => listAttachments(caseId!),
    enabled: !!caseId,
  });
}

// One blob: URL per file's bytes for the page's life: thumbnails and the viewer share it,
// and React's double effects in development cannot revoke one still shown.
const objectUrls = new WeakMap<Blob, string>();

function objectUrlOf(blob: Blob): string {
  let url = objectUrls.get(blob);
  if (url === undefined) {
    url = URL.createObjectURL(blob);
    objectUrls.set(blob, url);
  }
  return url;
}

/** A blob: URL of the file's bytes, fetched with the bearer token (an <img> cannot send it). */
export function useAttachmentUrl(attachment: Attachment | null, enabled = true) {
  const bytes = useQuery({
    queryKey: keys.attachmentBytes(attachment?.id ?? ''),
    queryFn: () => fetchAttachment(attachment!),
    enabled: enabled && !!attachment && !attachment.redacted,
    staleTime: Infinity,
    gcTime: 60_000,
  });
  const url = bytes.data ? objectUrlOf(bytes.data) : null;
  return { url, isError: bytes.isError, isLoading: bytes.isLoading };
}

export function useRemoveAttachment(caseId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (attachmentId: string) => removeAttachment(attachmentId),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.cases.attachments(caseId) });
      void qc.invalidateQueries({ queryKey: keys.cases.messages(caseId) });
      void qc.invalidateQueries({ queryKey: keys.cases.history(caseId) });
    },
  });
}

/**
 * Files picked for a message before it is sent: each uploads at once (with its progress),
 * and one taken out again before sending is taken back from the case.
 */
export function useUploads(caseId: string): Uploads {
  const qc = useQueryClient();
  const [pending, setPending] = useState<PendingUpload[]>([]);
  const aborts = useRef(new Map<string, AbortController>());

  const add = useCallback(
    (files: File[], internal = false) => {
      const { next, started } = addPicked(pending, files, refusalOf);
      setPending(next);
      for (const item of started) {
        const abort = new AbortController();
        aborts.current.set(item.key, abort);
        uploadAttachment(caseId, item.file, {
          internal,
          signal: abort.signal,
          onProgress: (share) => setPending((list) => progressed(list, item.key, share)),
        })
          .then((attachment) => {
            setPending((list) => finished(list, item.key, attachment));
            void qc.invalidateQueries({ queryKey: keys.cases.attachments(caseId) });
          })
          .catch((err: unknown) => setPending((list) => failed(list, item.key, uploadProblem(err))))
          .finally(() => aborts.current.delete(item.key));
      }
    },
    [caseId, pending, qc],
  );

  const remove = useCallback(
    (key: string) => {
      const item = pending.find((p) => p.key === key);
      aborts.current.get(key)?.abort();
      setPending((list) => removed(list, key));
      if (item?.attachment) {
        void removeAttachment(item.attachment.id).finally(
          () => void qc.invalidateQueries({ queryKey: keys.cases.attachments(caseId) }),
        );
      }
    },
    [caseId, pending, qc],
  );

  const clear = useCallback(() => setPending([]), []);
  const ids = pending.flatMap((p) => (p.attachment ? [p.attachment.id] : []));
  const busy = pending.some((p) => !p.attachment && !p.error);
  return { pending, add, remove, clear, ids, busy };
}
