/**
 * The session error family. Each error has a stable `code` to branch on (messages may change);
 * untrusted input never raises these: they report mistakes in configuration or in use.
 */

/**
 * Base class of every session error.
 *
 * @example
 * ```ts
 * try { new KeyRing('short'); } catch (e) { if (e instanceof SessionError) console.log(e.code); }
 * ```
 */
export class SessionError extends Error {
  /** A stable, machine-readable code such as `'ERR_SESSION_CONFIG'`. */
  readonly code: string;

  constructor(message: string, code = 'ERR_SESSION', options?: ErrorOptions) {
    super(message, options);
    this.name = 'SessionError';
    this.code = code;
  }
}

/**
 * Invalid session options, reported when the object is built (not on the first request).
 *
 * @example
 * ```ts
 * throw new SessionConfigError('cookie option "sameSite" must be Strict, Lax or None');
 * ```
 */
export class SessionConfigError extends SessionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_SESSION_CONFIG', options);
    this.name = 'SessionConfigError';
  }
}

/** A shell command that prints a good secret key: 32 random bytes, base64url. */
export const MAKE_A_KEY = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

/**
 * A session was read or written while no secret key is configured. The message starts with
 * Microdot's words (`ValueError('The session secret key is not configured')`) and goes on to say
 * where the key goes and how to make one.
 *
 * @example
 * ```ts
 * if (!ring) throw new SecretKeyNotConfiguredError();
 * ```
 */
export class SecretKeyNotConfiguredError extends SessionError {
  constructor(options?: ErrorOptions) {
    super(
      'The session secret key is not configured: give a secretKey of at least 32 bytes to ' +
        'new Session(app, { secretKey }) or session.initialize(app, { secretKey }), ' +
        `from an environment variable such as SECRET_KEY; make one with ${MAKE_A_KEY}`,
      'ERR_SESSION_NO_SECRET',
      options,
    );
    this.name = 'SecretKeyNotConfiguredError';
  }
}

/**
 * The encoded session does not fit in a cookie (browsers keep about 4096 bytes per cookie).
 *
 * @example
 * ```ts
 * if (cookie.length > 4096) throw new SessionTooLargeError(cookie.length, 4096);
 * ```
 */
export class SessionTooLargeError extends SessionError {
  /** The size of the encoded session, in bytes. */
  readonly size: number;
  /** The largest size allowed, in bytes. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(
      `The session is ${size} bytes once encoded, over the limit of ${limit} bytes: ` +
        'store less data in the session, or keep the data in a server-side store',
      'ERR_SESSION_TOO_LARGE',
      options,
    );
    this.name = 'SessionTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}
