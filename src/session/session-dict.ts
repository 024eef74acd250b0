import { SessionError } from './errors.js';

/** The methods of a session dictionary; they are not data and are never encoded. */
export interface SessionMethods {
  /** Saves the session: this response carries the updated cookie (Microdot's `save()`). */
  save(): void;
  /** Ends the session: this response removes the cookie (and, with a store, its record). */
  delete(): void;
  /** Starts a new session with the same data: new `iat`/`exp` and, with a store, a new id. Call on login. */
  regenerate(): void;
  /** Leaves a message for a later request; it is saved with the session at the end of this one. */
  flash(key: string, value: unknown): void;
  /** Takes the message left under `key` (once: it is gone afterwards), or `undefined`. */
  consumeFlash<V = unknown>(key: string): V | undefined;
}

/**
 * The session: a plain object of data (its own enumerable properties) plus the
 * {@link SessionMethods}, which are not enumerable and never encoded.
 *
 * @example
 * ```ts
 * app.get('/', withSession<{ visits?: number }>((req, session) => {
 *   session.visits = (session.visits ?? 0) + 1;
 *   session.save();
 *   return `visit ${session.visits}`;
 * }));
 * ```
 */
export type SessionDict<T extends object = Record<string, unknown>> = T & SessionMethods;

/** Names that data may not use: the methods, and the claims the token carries. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  'save',
  'delete',
  'regenerate',
  'flash',
  'consumeFlash',
  'iat',
  'exp',
  'nbf',
  'auth_time',
  'sid',
  '_flash',
  '_meta',
  '_links',
  '__proto__',
]);

/** The operations a session dictionary delegates to its Session. */
export interface SessionController {
  save(dict: object): void;
  delete(): void;
  regenerate(): void;
  flash(key: string, value: unknown): void;
  consumeFlash(key: string): unknown;
}

/**
 * The dictionaries' class: its methods live on the prototype (not enumerable), its controller in
 * a private field, so the own enumerable properties are the data and nothing else. Cheaper to
 * make than a property defined with `Object.defineProperty` on every request.
 */
class Dict implements SessionMethods {
  readonly #controller: SessionController;

  constructor(controller: SessionController) {
    this.#controller = controller;
  }

  save(): void {
    this.#controller.save(this);
  }

  delete(): void {
    this.#controller.delete();
  }

  regenerate(): void {
    this.#controller.regenerate();
  }

  flash(key: string, value: unknown): void {
    this.#controller.flash(key, value);
  }

  consumeFlash<V = unknown>(key: string): V | undefined {
    return this.#controller.consumeFlash(key) as V | undefined;
  }
}

/** A session dictionary over `data`, whose methods call `controller`. */
export function createSessionDict(
  data: Record<string, unknown>,
  controller: SessionController,
): SessionDict {
  const dict = new Dict(controller) as unknown as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (!RESERVED_KEYS.has(key)) dict[key] = data[key];
  }
  return dict as unknown as SessionDict;
}

/**
 * The data of `source` as a plain object, checked: a key that collides with a method or a
 * reserved claim throws, since it would be lost or shadow behaviour.
 */
export function sessionData(source: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (RESERVED_KEYS.has(key)) {
      throw new SessionError(
        `"${key}" cannot be a session data key: it is reserved for a session method or token claim (${[...RESERVED_KEYS].join(', ')})`,
        'ERR_SESSION_RESERVED_KEY',
      );
    }
    const value = (source as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
