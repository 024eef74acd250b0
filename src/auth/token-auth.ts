import { abort } from '../http-exception.js';
import type { Request } from '../request.js';
import { parseTokenCredentials } from './credentials.js';
import { checkErrorStatus, checkKnownOptions, checkToken } from './errors.js';
import { HTTPAuth } from './http-auth.js';

/** Options of {@link TokenAuth}; the defaults are Microdot's. */
export interface TokenAuthOptions {
  /** The header that carries the token (default `Authorization`). */
  header?: string;
  /** With `Authorization`, the scheme before the token (default `Bearer`, any case). */
  scheme?: string;
  /** The status the default error response aborts with (default 401). */
  errorStatus?: number;
}

const KNOWN = ['header', 'scheme', 'errorStatus'] as const;

/**
 * Token authentication, as Microdot's `TokenAuth`: the token is read from
 * `Authorization: Bearer <token>` (RFC 6750 §2.1), or is the whole value of a custom header.
 * A request without a valid token gets `abort(errorStatus)`, so the app's error handler for
 * that status answers; {@link HTTPAuth.errorHandler} replaces it.
 *
 * @example
 * ```ts
 * import { TokenAuth } from 'microdot-ts/auth';
 *
 * const token = new TokenAuth<User>();
 * token.authenticate(async (req, value) => apiTokens.get(value));
 * app.get('/api/me', token.required((req) => ({ id: token.currentUser(req)!.id })));
 * app.get('/api/news', token.optional((req) => (req.g.currentUser ? personalNews() : news())));
 * ```
 */
export class TokenAuth<U = unknown> extends HTTPAuth<U, [token: string]> {
  /** The header that carries the token. */
  readonly header: string;
  /** The scheme expected in `Authorization`. */
  readonly scheme: string;
  /** The status the default error response aborts with. */
  readonly errorStatus: number;
  readonly #lowerHeader: string;

  /** @throws AuthConfigError for an unknown option or a header or scheme that is not a token. */
  constructor(options: TokenAuthOptions = {}) {
    super();
    checkKnownOptions('TokenAuth', options, KNOWN);
    const { header = 'Authorization', scheme = 'Bearer', errorStatus = 401 } = options;
    this.header = checkToken('TokenAuth', 'header', header);
    this.scheme = checkToken('TokenAuth', 'scheme', scheme);
    this.errorStatus = checkErrorStatus('TokenAuth', errorStatus);
    this.#lowerHeader = header.toLowerCase();
  }

  protected override defaultError(): never {
    return abort(this.errorStatus);
  }

  protected override credentials(req: Request): [string] | undefined {
    const token = parseTokenCredentials(req.header(this.#lowerHeader), this.header, this.scheme);
    return token === undefined ? undefined : [token];
  }
}
