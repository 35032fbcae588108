/**
 * Who is signed in. On start a refresh token left in sessionStorage is traded for a fresh
 * pair (so a reload keeps the session); the access token is renewed shortly before expiry,
 * and a 401 that refreshing cannot mend ends the session.
 */
import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import * as auth from '@/services/auth';
import { onSessionEnded, refreshTokens } from '@/services/http';
import { tokens, type TokenPair } from '@/services/tokens';
import type { Me } from '@/services/types';

export type SessionState =
  | { status: 'starting'; user: null }
  // ``left``: the user signed out; the next person to sign in starts afresh, not on the
  // page the last one was reading.
  | { status: 'signed_out'; user: null; expired: boolean; left?: boolean }
  | { status: 'signed_in'; user: Me };

interface SessionApi {
  session: SessionState;
  signIn: (email: string, password: string) => Promise<Me>;
  /** Signs in with a pair got elsewhere (the shop's identity provider): as signIn does. */
  signInWithTokens: (pair: TokenPair) => Promise<Me>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [session, setSession] = useState<SessionState>(() =>
    tokens.refreshToken
      ? { status: 'starting', user: null }
      : { status: 'signed_out', user: null, expired: false },
  );

  useEffect(() => {
    if (session.status !== 'starting') return;
    let live = true;
    (async () => {
      const ok = await refreshTokens();
      const me = ok ? await auth.fetchMe().catch(() => null) : null;
      if (!live) return;
      setSession(
        me
          ? { status: 'signed_in', user: me }
          : { status: 'signed_out', user: null, expired: false },
      );
    })();
    return () => {
      live = false;
    };
  }, [session.status]);

  useEffect(() => {
    tokens.whenDue(() => void refreshTokens());
    const off = onSessionEnded(() => {
      qc.clear();
      setSession({ status: 'signed_out', user: null, expired: true });
    });
    return () => {
      tokens.whenDue(null);
      off();
    };
  }, [qc]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await auth.login(email, password);
      const me = await auth.fetchMe();
      qc.clear();
      setSession({ status: 'signed_in', user: me });
      return me;
    },
    [qc],
  );

  const signInWithTokens = useCallback(
    async (pair: TokenPair) => {
      tokens.set(pair);
      const me = await auth.fetchMe();
      qc.clear();
      setSession({ status: 'signed_in', user: me });
      return me;
    },
    [qc],
  );

  const signOut = useCallback(async () => {
    try {
      await auth.logout();
    } catch {
      /* the tokens are gone locally either way */
    }
    qc.clear();
    setSession({ status: 'signed_out', user: null, expired: false, left: true });
  }, [qc]);

  const value = useMemo(
    () => ({ session, signIn, signInWithTokens, signOut }),
    [session, signIn, signInWithTokens, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The signed-in user; only for pages behind the sign-in guard. */
export function useMe(): Me {
  const { session } = useSession();
  if (session.status !== 'signed_in') throw new Error('useMe needs a signed-in user');
  return session.user;
}
