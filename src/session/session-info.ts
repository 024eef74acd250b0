import { createHash } from 'node:crypto';
import type { Request } from '../request.js';
import type { SessionMeta, StoredSession } from '../stores/store.js';
import { SessionError } from './errors.js';

/**
 * One session of a user, as {@link Session.listSessions} gives it (ASVS 5.0 V7.5.2). Times are
 * epoch seconds.
 *
 * @example
 * ```ts
 * const sessions: SessionInfo[] = await session.listSessions(user.id);
 * const here = await session.currentHandle(req);
 * for (const s of sessions) console.log(s.handle === here ? 'this one' : s.userAgent, s.lastSeenAt);
 * ```
 */
export interface SessionInfo {
  /**
   * Names the session in this listing, for {@link Session.destroySession}. Opaque, and not the
   * session's id: knowing it does not let anyone use the session.
   */
  handle: string;
  createdAt: number;
  /** When the session was last used, to the minute (it is written at most once a minute). */
  lastSeenAt: number;
  expiresAt: number;
  /** The browser's `User-Agent` at login, at most 256 characters. */
  userAgent?: string;
  /** The client address at login (`req.clientAddr`, or X-Forwarded-For with `trustProxy`). */
  ip?: string;
}

/** The longest `User-Agent` kept in a session's meta. */
export const MAX_USER_AGENT = 256;

/** How often, at most, a session's `lastSeenAt` is written (seconds). */
export const SEEN_EVERY = 60;

/** The handle of session `sid`: a hash, so that the listing never reveals a usable id. */
export function handleOf(sid: string): string {
  return createHash('sha256')
    .update(`microdot-ts session handle\0${sid}`)
    .digest('base64url')
    .slice(0, 22);
}

/** The meta of a session created now by `req`. */
export function freshMeta(req: Request, now: number, trustProxy: boolean): SessionMeta {
  const meta: SessionMeta = { createdAt: now, lastSeenAt: now };
  const userAgent = req.header('user-agent');
  if (userAgent !== undefined && userAgent !== '')
    meta.userAgent = userAgent.slice(0, MAX_USER_AGENT);
  const ip = clientIp(req, trustProxy);
  if (ip !== '') meta.ip = ip;
  return meta;
}

/**
 * The client address: `req.clientAddr`, or with `trustProxy` the last X-Forwarded-For entry
 * (the address your proxy saw; the entries before it are the client's word).
 */
function clientIp(req: Request, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.header('x-forwarded-for');
    const last = forwarded?.split(',').pop()?.trim();
    if (last) return last.slice(0, 64);
  }
  return req.clientAddr;
}

/** A stored meta value, if it is one (a record written by something else may hold anything). */
export function asMeta(value: unknown): SessionMeta | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const meta = value as Partial<SessionMeta>;
  if (typeof meta.createdAt !== 'number' || typeof meta.lastSeenAt !== 'number') return undefined;
  return meta as SessionMeta;
}

/** The listing entry of a stored session, or `undefined` for a record with no session meta. */
export function infoOf(stored: StoredSession): SessionInfo | undefined {
  const meta = asMeta(stored.meta);
  if (meta === undefined) return undefined;
  const info: SessionInfo = {
    handle: handleOf(stored.id),
    createdAt: meta.createdAt,
    lastSeenAt: meta.lastSeenAt,
    expiresAt: stored.expiresAt,
  };
  if (typeof meta.userAgent === 'string') info.userAgent = meta.userAgent;
  if (typeof meta.ip === 'string') info.ip = meta.ip;
  return info;
}

/**
 * The one spelling of a user id in the store: a string as is, a finite number as its decimal
 * text (so `42` and `'42'` are the same user); anything else is refused.
 *
 * @throws SessionError (`ERR_SESSION_USER_ID`) for any other value.
 */
export function normalizeUserId(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new SessionError(
    `${where}: a user id must be a string or a finite number, got ${describe(value)}`,
    'ERR_SESSION_USER_ID',
  );
}

/** The data key where `microdot-ts/login` (and Python Microdot's login) keep the user's id. */
export const LOGIN_USER_KEY = '_user_id';

/**
 * The normalised user id that session `data` names under `userKey`, or `undefined` when it names
 * none. A session without it that a login made (microdot-ts/login, Python Microdot) is indexed by
 * the login's `_user_id`: no configuration needed.
 *
 * @throws SessionError (`ERR_SESSION_USER_ID`) for a value that is not a user id.
 */
export function userIdOf(data: Record<string, unknown>, userKey: string): string | undefined {
  let key = userKey;
  if ((data[key] === undefined || data[key] === null) && data[LOGIN_USER_KEY] != null)
    key = LOGIN_USER_KEY;
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  return normalizeUserId(value, `session key "${key}"`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}
