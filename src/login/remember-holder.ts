/**
 * The holder record of a remember token handed out (see remember.ts and remember-record.ts),
 * written at the end of the request, after the session that links it.
 *
 * A token issued (or renewed) in a request names its holder (`hid`), but the holder is written
 * only once the request's session is: by an after-request step that runs after the session's
 * (the session registered its own when it was first read). So a request that ends in an error
 * writes no session, hands out no token and leaves no holder behind (a token used in a loop at a
 * failing page cannot fill the store with holders nothing links), and every holder is linked by
 * the session written just before it.
 *
 * For a login restored from a token, that step also closes the race with a revocation (logout,
 * `destroyAll`, `destroyOthers`, theft detection) that lands after the restore renewed the record
 * but before its session was written: that write is a `replace`, which creates the session
 * whatever happened meanwhile. So the session is written first, then the remember record is
 * read. Every revocation ends the record (`destroyAll` and `destroyOthers` find it in the user's
 * index, as they find the user's sessions). One that ended it before that read is seen: the
 * session just written is ended (with the holder it links). One that lists the user's records
 * after the session was written (indexed under the user with it) ends the session itself. Only
 * one that listed them before the session was written and ended the record after the read
 * misses the session: it ran alongside this login, as it may alongside a password login, and the
 * token this login hands out names an ended record, worth nothing. The read costs one round trip
 * (beside the holder's write), on the requests that hand out a token only.
 *
 * @internal
 */
import type { Request } from '../request.js';
import { Response } from '../response.js';
import type { Session } from '../session/index.js';
import { storeCall } from '../session/store-call.js';
import { HOLDS_KEY, readRecord, refOf } from './remember-record.js';

/** The token a response hands out, as the step after the session's write needs it. */
export interface HandedOut {
  token: string;
  /** Whether the request's login was restored from the remember cookie (by this token). */
  restored: boolean;
}

/**
 * Writes the holder of `out.token` (with a store), after the request's session was written. For a
 * restored login whose remember record has ended since (a revocation that raced the restore),
 * ends the session just written and answers 401, removing the remember cookie; otherwise `undefined`.
 */
export async function writeHolder(
  session: Session,
  req: Request,
  out: HandedOut,
  removeCookie: (res: Response) => void,
): Promise<Response | undefined> {
  const store = session.store;
  const claims = store === undefined ? undefined : session.verifyToken(out.token);
  const ref = claims === undefined ? undefined : refOf(claims);
  if (store === undefined || ref === undefined) return undefined;
  const userId = String(claims!.user_id);
  const exp = typeof claims!.exp === 'number' ? claims!.exp : 0;
  const ttl = Math.max(1, exp - Math.floor(Date.now() / 1000));
  const [, stored] = await storeCall(() =>
    Promise.all([
      store.set(
        ref.hid,
        { set: { [HOLDS_KEY]: ref.rid }, unset: [], replace: true },
        { ttl, userId },
      ),
      store.get(ref.rid),
    ]),
  );
  const record = readRecord(stored);
  if (!out.restored || (record !== undefined && String(record.user) === userId)) return undefined;
  // Revoked while the request ran: the session just written (and the holder it links) ends.
  const handle = await session.currentHandle(req);
  if (handle !== undefined) await session.destroySession(userId, handle);
  await storeCall(() => store.destroy(ref.hid));
  const res = new Response('Unauthorized: this login was revoked', 401);
  removeCookie(res);
  return res;
}
