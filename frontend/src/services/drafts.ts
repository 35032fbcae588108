/** Unsent replies, kept in this browser per user and case until they are sent, so that a
 * session that ends mid-sentence (expiry, a closed tab) does not lose what was typed. Kept
 * per user: someone else signing in on the same browser never sees another's draft. */

export interface Draft {
  body: string;
  internal: boolean;
  /** A canned reply's status to set once the reply is sent. */
  setStatus?: string;
}

export const draftKey = (userId: string, caseId: string) => `supportdesk.draft.${userId}.${caseId}`;

export function readDraft(key: string): Draft | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    if (typeof d.body !== 'string') return null;
    const draft: Draft = { body: d.body, internal: d.internal === true };
    if (typeof d.setStatus === 'string') draft.setStatus = d.setStatus;
    return draft;
  } catch {
    // Storage refused (private mode, full) or a damaged entry: start empty.
    return null;
  }
}

export function saveDraft(key: string, draft: Draft): void {
  try {
    if (draft.body.trim()) localStorage.setItem(key, JSON.stringify(draft));
    else localStorage.removeItem(key);
  } catch {
    // A draft that cannot be kept is still on screen; nothing else depends on it.
  }
}

export function dropDraft(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // As above.
  }
}
