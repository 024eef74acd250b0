/**
 * The marker a remember record leaves when `Login.logoutOthers` replaces it (see remember.ts).
 *
 * "Log out everywhere else" ends every remember record of the user, the requester's own too (a
 * copy of its cookie must die), and gives the requester a new record. Had the requester restored
 * from a stolen copy, the victim's token, an older generation of the same record, would then find
 * no record: no theft seen, and the thief kept the new record. So the requester's old record is
 * written back as a marker, `_replaced: { user, gen, at }` (its owner, its current generation and
 * when that was written), until that generation's token would have expired. No token restores from
 * a marker; an older generation shown to it (past the grace period for parallel requests) is theft.
 * The marker is not indexed under the user: a later `destroyOthers` or `destroyAll` (another
 * "log out everywhere else" by the same party) must not erase the evidence.
 *
 * @internal
 */
import type { SessionStore } from '../stores/store.js';
import { isUserId, type UserId } from './login-session.js';
import { isParallel, readRecord } from './remember-record.js';

/** The data key of a marker. */
const REPLACED_KEY = '_replaced';

/** What a marker keeps of the record it replaces. */
interface Replaced {
  user: UserId;
  gen: number;
  at: number;
}

/**
 * Reads remember record `rid` (of `userId`) before it ends; the returned function writes it back
 * as a marker (a no-op when there was no live record of that user).
 */
export async function replaceLater(
  store: SessionStore,
  rid: string,
  userId: UserId,
): Promise<() => Promise<void>> {
  const record = readRecord(await store.get(rid));
  if (record === undefined || String(record.user) !== String(userId)) return async () => {};
  const marker: Replaced = { user: record.user, gen: record.gen, at: record.current.at };
  return async () => {
    const ttl = record.current.exp - Math.floor(Date.now() / 1000);
    if (ttl < 1) return;
    await store.set(rid, { set: { [REPLACED_KEY]: marker }, unset: [], replace: true }, { ttl });
  };
}

/**
 * Whether generation `gen` of a token of `userId`, shown to the stored data of its record, is a
 * theft a marker reveals: an older generation than the replaced record's current one, shown past
 * `grace` seconds (a parallel request of the browser that renewed it) when it is the one before.
 */
export function replacedTheft(
  stored: Record<string, unknown> | undefined,
  userId: UserId,
  gen: number,
  grace: number,
): boolean {
  const m = stored?.[REPLACED_KEY] as Record<string, unknown> | null | undefined;
  if (m === null || typeof m !== 'object' || !isUserId(m.user)) return false;
  if (String(m.user) !== String(userId)) return false;
  if (!Number.isSafeInteger(m.gen) || typeof m.at !== 'number' || !Number.isFinite(m.at))
    return false;
  const current = m.gen as number;
  const parallel = isParallel(gen, current, m.at, Math.floor(Date.now() / 1000), grace);
  return gen < current && !parallel;
}
