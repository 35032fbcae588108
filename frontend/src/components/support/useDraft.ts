// A hook of the reply box's own: it keeps text in this browser and fetches nothing.
import { useCallback, useState } from 'react';
import { dropDraft, readDraft, saveDraft, type Draft } from '@/services/drafts';

/**
 * A reply's unsent text, kept in this browser under `key` (per user and case: `draftKey`)
 * so that it survives a reload or a sign-in in between. `initial` is read once, when the
 * box first draws; `keep` stores the text as it is typed; `clear` forgets it once sent.
 * Without a key nothing is kept.
 */
export function useDraft(key: string | undefined) {
  const [initial] = useState<Draft | null>(() => (key ? readDraft(key) : null));
  const keep = useCallback(
    (draft: Draft) => {
      if (key) saveDraft(key, draft);
    },
    [key],
  );
  const clear = useCallback(() => {
    if (key) dropDraft(key);
  }, [key]);
  return { initial, keep, clear };
}
