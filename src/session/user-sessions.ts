import type { SessionStore } from '../stores/store.js';
import type { SessionContext } from './context.js';
import { endLinked, linkedIds } from './links.js';
import type { RequestSession } from './request-session.js';
import {
  asMeta,
  handleOf,
  infoOf,
  normalizeUserId,
  type SessionInfo,
  userIdOf,
} from './session-info.js';
import { storeCall } from './store-call.js';

/**
 * The sessions of a user in the store (ASVS 5.0 V7.4, V7.5): listed, ended one by one, all but
 * the request's own, all; the `maxSessionsPerUser` limit after a login; and every session of
 * the store ended at once. A session ends the records it links first ({@link linkedIds}).
 * Store mode only: `Session` reaches it through its StoreMode.
 *
 * @internal
 */
export class UserSessions {
  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  get #store(): SessionStore {
    return this.#ctx.options.store!;
  }

  /** Ends every session of `userId`; resolves to how many. */
  destroyAll(userId: string | number): Promise<number> {
    const id = normalizeUserId(userId, 'destroyAll');
    return storeCall(() => this.#store.destroyAll(id));
  }

  /** The sessions of `userId`, most recently seen first. */
  async listSessions(userId: string | number): Promise<SessionInfo[]> {
    const id = normalizeUserId(userId, 'listSessions');
    const stored = await storeCall(() => this.#store.list(id));
    const infos: SessionInfo[] = [];
    for (const s of stored) {
      const info = infoOf(s);
      if (info !== undefined) infos.push(info);
    }
    return infos.sort((a, b) => b.lastSeenAt - a.lastSeenAt || b.createdAt - a.createdAt);
  }

  /** Ends the session `handle` of `userId`; whether it did. */
  async destroySession(userId: string | number, handle: string): Promise<boolean> {
    const id = normalizeUserId(userId, 'destroySession');
    if (typeof handle !== 'string') return false;
    const store = this.#store;
    const target = (await storeCall(() => store.list(id))).find((s) => handleOf(s.id) === handle);
    if (target === undefined) return false;
    return storeCall(async () => {
      await endLinked(store, await linkedIds(store, target.id));
      return store.destroyOwned(id, target.id);
    });
  }

  /**
   * Ends every record of the request's user but the request's session, the records it links
   * included (this device's remember-me record: a stolen copy of its cookie must die too), and
   * unlinks them; resolves to how many sessions (as listed) it ended.
   */
  async destroyOthers(rs: RequestSession): Promise<number> {
    const dict = (await rs.load()) as Record<string, unknown>;
    const userId = userIdOf(dict, this.#ctx.options.userKey);
    const current = rs.claims.sid;
    if (userId === undefined || current === undefined) return 0;
    const store = this.#store;
    const own = Object.entries(rs.links);
    await storeCall(() =>
      endLinked(
        store,
        own.map(([, id]) => id),
      ),
    );
    for (const [name] of own) rs.link(name, undefined);
    let ended = 0;
    for (const s of await storeCall(() => store.list(userId))) {
      if (s.id === current) continue;
      // Only a session (a record with meta) links records; a remember record, say, is just ended.
      const session = asMeta(s.meta) !== undefined;
      const gone = await storeCall(async () => {
        if (session) await endLinked(store, await linkedIds(store, s.id));
        return store.destroyOwned(userId, s.id);
      });
      if (gone && session) ended++;
    }
    return ended;
  }

  /** Ends every session in the store. */
  clear(): Promise<void> {
    return storeCall(() => this.#store.clear());
  }

  /** `maxSessionsPerUser`: ends the user's least recently seen sessions past the limit. */
  async limit(userId: string, current: string): Promise<void> {
    const max = this.#ctx.options.maxSessionsPerUser;
    if (max === undefined) return;
    const store = this.#store;
    const others = (await storeCall(() => store.list(userId))).filter(
      (s) => s.id !== current && asMeta(s.meta) !== undefined,
    );
    const excess = others.length + 1 - max;
    if (excess <= 0) return;
    const seen = (s: (typeof others)[number]) => asMeta(s.meta)!;
    others.sort(
      (a, b) => seen(a).lastSeenAt - seen(b).lastSeenAt || seen(a).createdAt - seen(b).createdAt,
    );
    for (const victim of others.slice(0, excess)) {
      await storeCall(async () => {
        await endLinked(store, await linkedIds(store, victim.id));
        await store.destroyOwned(userId, victim.id);
      });
    }
  }
}
