import type { SessionStore } from '../stores/store.js';

/**
 * Records linked to a session: store records that an extension keeps beside a session (the
 * holder record of a `microdot-ts/login` remember-me token) and that must end when the session is ended, not
 * when it is merely replaced. A session names them, one per name, in its data under the reserved
 * key {@link LINKS_KEY} (store mode only: a cookie session has no records to link). Ending a
 * session (its `delete()`, `destroySession`, `destroyOthers` from another session, a
 * `maxSessionsPerUser` eviction) destroys its linked records first, then the session, so that a
 * failure leaves the session, and a retry, rather than a record nothing names. Regenerating a
 * session keeps its links under the new id. A session's own `destroyOthers` ends (and unlinks) its
 * linked records too: a copy of such a record's token (a stolen remember cookie) must not outlive
 * "log out everywhere else"; the extension issues this device a new one (`Login.logoutOthers`).
 *
 * @internal
 */

/** The data key of a session's links: `{ name: record id }`. */
export const LINKS_KEY = '_links';

/** The links kept in a stored record (anything else there counts as none). */
export function linksOf(stored: Record<string, unknown> | undefined): Record<string, string> {
  const value = stored?.[LINKS_KEY];
  const links: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return links;
  for (const [name, id] of Object.entries(value)) {
    if (typeof id === 'string' && id !== '' && name !== '__proto__') links[name] = id;
  }
  return links;
}

/** The ids of the records that session `sid` links (read from the store). */
export async function linkedIds(store: SessionStore, sid: string): Promise<string[]> {
  return Object.values(linksOf(await store.get(sid)));
}

/** Destroys the records `ids`. */
export async function endLinked(store: SessionStore, ids: Iterable<string>): Promise<void> {
  for (const id of new Set(ids)) await store.destroy(id);
}

/** The check of `Session.linkRecord`'s arguments. */
export function checkLink(name: unknown, id: unknown): void {
  if (typeof name !== 'string' || name === '' || name === '__proto__')
    throw new TypeError('linkRecord: the name must be a non-empty string');
  if (id !== undefined && (typeof id !== 'string' || id === ''))
    throw new TypeError('linkRecord: the record id must be a non-empty string, or undefined');
}
