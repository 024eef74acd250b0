// The Lua scripts of RedisStore, their SHA1s, and the `set` script's arguments and answer: the
// text Redis runs, apart from the client code that calls it. Each script touches one slot (see
// RedisStore's key layout).
import { createHash } from 'node:crypto';
import type { SessionPatch } from './store.js';

/** The user index outlives the sessions it lists by this much (they are written a moment apart). */
const INDEX_MARGIN_MS = 60_000;

/**
 * An id leaves the index this long after its expiry: the index is written a moment apart from the
 * session (just before it, on one connection), so its score may be a few ms early.
 */
const PRUNE_GRACE_MS = 1000;

/** Redis's clock in ms, as `now` (Redis < 5 must be told to replicate a script's effects). */
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/**
 * Each script touches the keys of ONE session only (`KEYS` share the `{id}` hash tag) or ONE user
 * index: single-slot, so Redis Cluster runs it on one node, atomically.
 */
export const SCRIPTS = {
  /**
   * KEYS: data hash, owner. ARGV: replace, ttl ms, has user, user, unset count, unset…, field/value…
   * Without replace, a missing session stays missing: returns 0. Otherwise applies the patch and
   * the new TTL in one step and returns {before, owner}: the TTL (ms) the session had, if the
   * owner's index listed it (0 for a new session, or one new to that owner), and its owner (nil
   * when it has none).
   */
  set: `
local s, o = KEYS[1], KEYS[2]
local before = 0
if ARGV[1] == '1' then redis.call('DEL', s)
elseif redis.call('EXISTS', s) == 0 then return 0
elseif ARGV[3] == '0' or redis.call('GET', o) == ARGV[4] then before = redis.call('PTTL', s) end
local i = 6
for _ = 1, tonumber(ARGV[5]) do redis.call('HDEL', s, ARGV[i]); i = i + 1 end
while i < #ARGV do redis.call('HSET', s, ARGV[i], ARGV[i + 1]); i = i + 2 end
if redis.call('EXISTS', s) == 0 then redis.call('DEL', o); return {0} end
redis.call('PEXPIRE', s, ARGV[2])
if ARGV[3] == '1' then redis.call('SET', o, ARGV[4], 'PX', ARGV[2]) else redis.call('PEXPIRE', o, ARGV[2]) end
return {before, redis.call('GET', o)}`,
  /**
   * KEYS: data hash, owner. ARGV: ttl ms. Sets both TTLs and returns {before, owner}: the TTL
   * (ms) the session had and its owner (nil when it has none); nil when the session is absent.
   */
  touch: `
local before = redis.call('PTTL', KEYS[1])
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return {before, redis.call('GET', KEYS[2])}`,
  /**
   * KEYS: data hash, owner. ARGV: ttl ms. Lowers both TTLs to ttl, never raises them; ends the
   * session when ttl is 0. Takes back a write whose index update failed.
   */
  shorten: `
local ttl = tonumber(ARGV[1])
if ttl <= 0 then redis.call('DEL', KEYS[1], KEYS[2]); return 1 end
if redis.call('PTTL', KEYS[1]) > ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1`,
  /** KEYS: data hash, owner. Returns the owner the session had (or nil). */
  destroy: `
local owner = redis.call('GET', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
return owner`,
  /** KEYS: data hash, owner. ARGV: user. Deletes the session only if it (still) belongs to user. */
  destroyOwned: `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
return redis.call('DEL', KEYS[1])`,
  /**
   * KEYS: user index. ARGV: id, ttl ms. Adds (or moves forward) id with its expiry time as score,
   * drops the ids whose sessions have expired, and never shortens the index's own TTL.
   */
  index: `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${PRUNE_GRACE_MS})
local expires = now + tonumber(ARGV[2])
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not known or tonumber(known) < expires then redis.call('ZADD', KEYS[1], expires, ARGV[1]) end
local ttl = tonumber(ARGV[2]) + ${INDEX_MARGIN_MS}
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`,
  /**
   * KEYS: data hash, owner. ARGV: user, meta field. For a live session of user: its remaining
   * TTL (ms) and the meta field's JSON ('' when absent); nil otherwise.
   */
  info: `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return false end
return {ttl, redis.call('HGET', KEYS[1], ARGV[2]) or ''}`,
} as const;

/** The name of one of {@link SCRIPTS}. */
export type ScriptName = keyof typeof SCRIPTS;
/** The SHA1 of each script, for EVALSHA (its text is sent only when Redis answers NOSCRIPT). */
export const SHAS = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, lua]) => [
    name,
    createHash('sha1').update(lua).digest('hex'),
  ]),
) as Record<ScriptName, string>;

/** What the `set` and `touch` scripts answer for a session they wrote: [TTL it had, owner]. */
export type Written = [before: number, owner?: string | null];

/** The `set` script's ARGV: replace, ttl ms, has user, user, unset count, unset…, field/value… */
export function setArgs(patch: SessionPatch, ttlMs: number, userId: string | undefined): string[] {
  const unset = [...patch.unset];
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(patch.set)) {
    const json: string | undefined = JSON.stringify(value);
    if (json === undefined) unset.push(key);
    else pairs.push(key, json);
  }
  return [
    patch.replace ? '1' : '0',
    String(ttlMs),
    userId === undefined ? '0' : '1',
    userId ?? '',
    String(unset.length),
    ...unset,
    ...pairs,
  ];
}
