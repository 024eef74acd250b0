import { META_KEY, type SessionData, type SessionPatch } from '../stores/store.js';

/**
 * `base` with `patch.unset` removed then `patch.set` written (a key set to `undefined` is removed,
 * as JSON would drop it). Goes through a `Map` so a `__proto__` key stays a plain key.
 * Shared by the stores that merge in process (memory, SQLite); Redis does it in Lua.
 */
export function applyPatch(base: SessionData, patch: SessionPatch): SessionData {
  const data = new Map(Object.entries(base));
  for (const key of patch.unset) data.delete(key);
  for (const [key, value] of Object.entries(patch.set)) {
    if (value === undefined) data.delete(key);
    else data.set(key, value);
  }
  return Object.fromEntries(data);
}

/** A store TTL in seconds as milliseconds; anything but a positive finite number throws. */
export function ttlToMs(ttl: number): number {
  if (!(Number.isFinite(ttl) && ttl > 0)) {
    throw new RangeError(`session ttl must be a number of seconds > 0, got ${ttl}`);
  }
  return Math.ceil(ttl * 1000);
}

/** The value of the session layer's `_meta` key in `data` (for `list()`), or `undefined`. */
export function metaOf(data: SessionData): unknown {
  return Object.hasOwn(data, META_KEY) ? data[META_KEY] : undefined;
}
