import { createClient, type Tokens, type TrellisClient } from '@trellis/sdk';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

/*
 * Who is logged in, kept in this browser's localStorage so a reload keeps the session (the
 * access token lives 15 minutes; the SDK renews it with the refresh token and tells us the new
 * pair, which is saved again). Logging out revokes the refresh token.
 */

type Saved = { username: string; tokens: Tokens };

const STORAGE_KEY = 'trellis.session';

function load(): Saved | undefined {
  try {
    const text = localStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as Saved) : undefined;
  } catch {
    return undefined;
  }
}

function save(saved: Saved | undefined): void {
  if (saved) localStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
  else localStorage.removeItem(STORAGE_KEY);
}

export type Session = {
  client: TrellisClient;
  username: string | undefined;
  projectId: string | null;
  loggedIn: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** Forgets the session without asking the API (its tokens were refused). */
  forget: () => void;
  switchProject: (projectId: string) => Promise<void>;
};

const SessionContext = createContext<Session | undefined>(undefined);

function makeClient(saved: Saved | undefined, onTokens: (tokens: Tokens) => void): TrellisClient {
  return createClient({ baseUrl: window.location.origin, ...(saved ? { tokens: saved.tokens } : {}), onTokens });
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [saved, setSaved] = useState<Saved | undefined>(load);
  const username = useRef(saved?.username ?? '');
  const remember = useCallback((next: Saved | undefined) => {
    save(next);
    setSaved(next);
  }, []);
  // One client for the page's life: it keeps its tokens itself; we only mirror them to storage.
  const [client] = useState(() => makeClient(saved, (tokens) => remember({ username: username.current, tokens })));

  const value = useMemo<Session>(() => ({
    client,
    username: saved?.username,
    projectId: saved?.tokens.projectId ?? null,
    loggedIn: saved !== undefined,
    login: async (name, password) => {
      username.current = name;
      try {
        await client.login(name, password);
      } catch (error) {
        remember(undefined);
        throw error;
      }
    },
    logout: async () => {
      try {
        await client.logout();
      } finally {
        remember(undefined);
      }
    },
    forget: () => remember(undefined),
    switchProject: async (projectId) => {
      await client.switchProject(projectId);
    },
  }), [client, saved, remember]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The API client of the logged-in session. */
export function useApi(): TrellisClient {
  return useSession().client;
}
