import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Me } from '../../common/auth.ts';
import type { LanguageCode } from '../../common/schema.ts';
import { can, type Permission } from '../../common/permissions.ts';
import { api, isApiError, onUnauthorized } from '../api/client.ts';
import { useLiveUpdates } from '../api/events.ts';
import { applyLanguage } from '../i18n/i18n.ts';

export type Phase =
  | { kind: 'loading' }
  | { kind: 'unreachable' }
  | { kind: 'setup' }
  | { kind: 'login'; reason?: 'expired' | 'signed_out' }
  | { kind: 'ready'; me: Me };

interface SessionContextValue {
  phase: Phase;
  signedIn(me: Me): void;
  /** Takes in a fresh copy of who is signed in (after the clinic's name or time zone changed). */
  refreshMe(me: Me): void;
  signOut(): Promise<void>;
  setLanguage(language: LanguageCode): Promise<void>;
  retry(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/**
 * Owns who is signed in. Whenever the server says the session is over (a 401 from any call, or the
 * event stream's session-ended), every cached answer is dropped so no patient data stays on the page.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const endSession = useCallback(
    (reason: 'expired' | 'signed_out' | undefined) => {
      client.cancelQueries().catch(() => {});
      client.clear();
      setPhase({ kind: 'login', reason });
    },
    [client],
  );

  useEffect(() => {
    onUnauthorized((code) => endSession(code === 'session_expired' ? 'expired' : undefined));
    return () => onUnauthorized(null);
  }, [endSession]);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const { needsSetup } = await api<{ needsSetup: boolean }>('GET', '/api/setup');
        if (cancelled) return;
        if (needsSetup) return setPhase({ kind: 'setup' });
        const me = await api<Me>('GET', '/api/auth/me');
        if (cancelled) return;
        await applyLanguage(me.language);
        setPhase({ kind: 'ready', me });
      } catch (error) {
        if (cancelled) return;
        if (isApiError(error) && error.status === 401) return;
        setPhase({ kind: 'unreachable' });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const sessionEnded = useCallback(() => endSession('expired'), [endSession]);
  useLiveUpdates(client, phase.kind === 'ready', sessionEnded);

  const value = useMemo<SessionContextValue>(
    () => ({
      phase,
      signedIn(me) {
        client.clear();
        void applyLanguage(me.language);
        setPhase({ kind: 'ready', me });
      },
      refreshMe(me) {
        setPhase({ kind: 'ready', me });
      },
      async signOut() {
        try {
          await api('POST', '/api/auth/logout');
        } catch {
          // Signing out must always leave the screen, even when the server is unreachable.
        }
        endSession('signed_out');
      },
      async setLanguage(language) {
        await applyLanguage(language);
        if (phase.kind === 'ready') {
          setPhase({ kind: 'ready', me: { ...phase.me, language } });
          await api('PUT', '/api/auth/me/language', { language });
        }
      },
      retry() {
        setPhase({ kind: 'loading' });
        setAttempt((n) => n + 1);
      },
    }),
    [phase, client, endSession],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs SessionProvider');
  return value;
}

/** The signed-in person; only for screens rendered inside the signed-in shell. */
export function useMe(): Me {
  const { phase } = useSession();
  if (phase.kind !== 'ready') throw new Error('useMe outside a signed-in screen');
  return phase.me;
}

export function useCan(): (permission: Permission) => boolean {
  const me = useMe();
  return useCallback((permission: Permission) => can(me.role, permission, me.grants), [me.role, me.grants]);
}
