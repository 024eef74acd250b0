/**
 * Invalid options of `BasicAuth`, `TokenAuth` or `LoginThrottle`, or an authenticator used
 * before it was given its callback. Reported when the object is built or first used, never
 * for anything a client sent.
 *
 * @example
 * ```ts
 * try { new BasicAuth({ realm: 'say "hi"' }); } catch (e) { if (e instanceof AuthConfigError) console.log(e.code); }
 * ```
 */
export class AuthConfigError extends Error {
  /** Always `'ERR_AUTH_CONFIG'`. */
  readonly code = 'ERR_AUTH_CONFIG';

  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

/** Throws {@link AuthConfigError} when `options` has a key not in `known`. */
export function checkKnownOptions(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new AuthConfigError(`${what}: unknown option "${key}" (known: ${known.join(', ')})`);
    }
  }
}

/** Throws {@link AuthConfigError} unless `status` is an HTTP error status (400 to 599). */
export function checkErrorStatus(what: string, status: unknown): number {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    throw new AuthConfigError(
      `${what}: errorStatus must be an HTTP error status from 400 to 599 (usually 401), got ${String(status)}`,
    );
  }
  return status;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Throws {@link AuthConfigError} unless `value` is an RFC 9110 §5.6.2 token (a scheme, a header name). */
export function checkToken(what: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new AuthConfigError(
      `${what}: ${name} must be a token of letters, digits and !#$%&'*+.^_\`|~- (no spaces), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
