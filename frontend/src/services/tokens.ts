/**
 * Where the session's tokens live: the access token in memory only, the refresh token in
 * sessionStorage so a reload of the tab keeps the user signed in (and closing it does not).
 */
const REFRESH_KEY = 'supportdesk.refresh_token';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 30_000;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
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

  get refreshToken(): string | null {
    try {
      return sessionStorage.getItem(REFRESH_KEY);
    } catch {
      return null;
    }
  }

  get expiresInMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  set(pair: TokenPair): void {
    this.access = pair.access_token;
    this.expiresAt = Date.now() + pair.expires_in * 1000;
    try {
      sessionStorage.setItem(REFRESH_KEY, pair.refresh_token);
    } catch {
      /* storage may be unavailable (private mode); the session then ends with the tab */
    }
    this.schedule();
  }

  clear(): void {
    this.access = null;
    this.expiresAt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      sessionStorage.removeItem(REFRESH_KEY);
    } catch {
      /* nothing to clear */
    }
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
