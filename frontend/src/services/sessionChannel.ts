/**
 * Tabs of one browser share one sign-in (the refresh cookie), so they share its changes: a
 * tab that signs out tells the others, which sign out too; a tab that signs in tells the
 * others, which pick up that sign-in. Nothing secret goes over the channel.
 */
export type SessionNews = { type: 'signed_out' } | { type: 'signed_in'; userId: string };

const NAME = 'supportdesk-session';

function open(): BroadcastChannel | null {
  return typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(NAME);
}

const sender = open();

export function announce(news: SessionNews): void {
  sender?.postMessage(news);
}

/** Calls ``listener`` with what other tabs announce (a channel never hears itself). */
export function onNews(listener: (news: SessionNews) => void): () => void {
  const receiver = open();
  if (!receiver) return () => undefined;
  receiver.onmessage = (event: MessageEvent<SessionNews>) => listener(event.data);
  return () => receiver.close();
}
