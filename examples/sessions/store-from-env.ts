// Picks the session store of the login example from SESSION_STORE.
import type { SessionStore } from 'microdot-ts/session';

/** The store named by `SESSION_STORE` (`cookie` — no store — by default). */
export async function storeFromEnv(env: NodeJS.ProcessEnv): Promise<SessionStore | undefined> {
  const kind = env.SESSION_STORE ?? 'cookie';
  switch (kind) {
    case 'cookie':
      return undefined;
    default:
      throw new Error(`SESSION_STORE must be cookie, memory, sqlite or redis; got "${kind}"`);
  }
}
