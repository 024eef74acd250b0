// Helpers of the remember-me record tests: moving a remember record's clock, and a store wrapper
// that holds one matching write at a gate.
import type { SessionPatch, SessionStore, SetOptions } from '../../src/session/index.js';
import { deferred } from '../helpers/deferred.js';
import { payloadOf } from './helpers.js';

/** The current generation of a stored remember record: its highest generation key. */
export function currentGen(stored: Record<string, unknown>): number {
  const gens = Object.keys(stored).flatMap((k) => (/^g\d+$/.test(k) ? [Number(k.slice(1))] : []));
  return Math.max(...gens);
}

/**
 * Time passes for the remember record `token` names: its last renewal is made `seconds` older
 * (shared by the remember tests), so the grace period for parallel requests is over.
 */
export async function ageRotation(store: SessionStore, token: string, seconds: number) {
  const rid = payloadOf(token).rid as string;
  const stored = (await store.get(rid))!;
  const key = `g${currentGen(stored)}`;
  const generation = stored[key] as { exp: number; at: number };
  await store.set(
    rid,
    { set: { [key]: { ...generation, at: generation.at - seconds } }, unset: [] },
    { ttl: 3600 },
  );
}

/**
 * `store`, with a gate: once armed, the next `set` for which `match` is true waits (before
 * reaching the store) until `release()`; `reached` resolves when it is waiting.
 */
export function gatedOn(
  store: SessionStore,
  match: (id: string, patch: SessionPatch, options: SetOptions) => boolean,
) {
  let armed = false;
  const reached = deferred();
  const gate = deferred();
  const wrapper: SessionStore = {
    get: (id) => store.get(id),
    async set(id, patch, options) {
      if (armed && match(id, patch, options)) {
        armed = false;
        reached.resolve();
        await gate.promise;
      }
      return store.set(id, patch, options);
    },
    destroy: (id) => store.destroy(id),
    touch: (id, ttl) => store.touch(id, ttl),
    destroyAll: (userId) => store.destroyAll(userId),
    list: (userId) => store.list(userId),
    destroyOwned: (userId, id) => store.destroyOwned(userId, id),
    clear: () => store.clear(),
  };
  return {
    store: wrapper,
    arm: () => {
      armed = true;
    },
    reached: reached.promise,
    release: gate.resolve,
  };
}

/** The write of a fresh, logged-in session (the one a restore makes at the end of its request). */
export const sessionLogin = (_id: string, patch: SessionPatch) =>
  patch.replace === true && Object.hasOwn(patch.set, '_user_id');
