/**
 * Where the session's tokens live: the access token in this tab's memory only; the refresh
 * token in an HttpOnly cookie that scripts never see and only the sign-in endpoints receive
 * (docs/sign-in.md). A reload or a new tab restores the session by refreshing with that
 * cookie; a readable hint cookie says whether there is a session worth restoring.
 */
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 30_000;
const SIGNED_IN_HINT = 'supportdesk_signed_in=1';

export interface TokenPair {
  access_token: string;
  refresh_token?: string | null;
  expires_in: number;
}

type Listener = () => void;

class TokenStore {
  private access: string | null = null;
  private expiresAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private onDue: Listener | null = null;

  get accessToken(): string | null {
    return this.access;
  }

  /** Whether the browser holds a sign-in to restore (set and cleared by the server). */
  get hasSession(): boolean {
    try {
      return document.cookie.split('; ').includes(SIGNED_IN_HINT);
    } catch {
      return false;
    }
  }

  get expiresInMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  set(pair: TokenPair): void {
    this.access = pair.access_token;
    this.expiresAt = Date.now() + pair.expires_in * 1000;
    this.schedule();
  }

  clear(): void {
    this.access = null;
    this.expiresAt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Registers what to call shortly before the access token expires. */
  whenDue(listener: Listener | null): void {
    this.onDue = listener;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.access || !this.onDue) return;
    const delay = Math.max(1_000, this.expiresInMs - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => this.onDue?.(), delay);
  }
}

export const tokens = new TokenStore();
