import { api, ifMatch, unwrap } from './http';
import type { CannedReply, CannedReplyInput } from './types';

/** Every canned reply the caller may use (the shared ones and their own), page by page. */
export async function listCannedReplies(): Promise<CannedReply[]> {
  const all: CannedReply[] = [];
  let cursor: string | undefined;
  // A team keeps tens of replies, not thousands: read them all for the picker's search.
  for (let page = 0; page < 20; page++) {
    const answer = await unwrap(
      api.GET('/api/v1/canned-replies', { params: { query: { limit: 100, cursor } } }),
    );
    all.push(...answer.items);
    if (!answer.next_cursor) break;
    cursor = answer.next_cursor;
  }
  return all.toSorted((a, b) => a.title.localeCompare(b.title));
}

export function createCannedReply(body: CannedReplyInput): Promise<CannedReply> {
  return unwrap(api.POST('/api/v1/canned-replies', { body }));
}

export function updateCannedReply(
  id: string,
  body: Partial<CannedReplyInput>,
  version?: number,
): Promise<CannedReply> {
  return unwrap(
    api.PATCH('/api/v1/canned-replies/{reply_id}', {
      params: { path: { reply_id: id } },
      body,
      headers: ifMatch(version),
    }),
  );
}

export async function deleteCannedReply(id: string): Promise<void> {
  await unwrap(
    api.DELETE('/api/v1/canned-replies/{reply_id}', { params: { path: { reply_id: id } } }),
  );
}
