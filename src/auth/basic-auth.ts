import type { HandlerResult } from '../app.js';
import type { Request } from '../request.js';
import { parseBasicCredentials } from './credentials.js';
import { AuthConfigError, checkErrorStatus, checkKnownOptions, checkToken } from './errors.js';
import { HTTPAuth } from './http-auth.js';

/** Options of {@link BasicAuth}; the defaults are Microdot's. */
export interface BasicAuthOptions {
  /** Shown by the browser when it asks for credentials (default `Please login`). */
  realm?: string;
  /** The `charset` parameter of the challenge (default `UTF-8`, RFC 7617 §2.1). */
  charset?: string;
  /**
   * The scheme named in the challenge (default `Basic`). Another name (say `xBasic`) keeps
   * browsers from showing their own login dialog; credentials are still read as `Basic`.
   */
  scheme?: string;
  /** The status of the error response (default 401). */
  errorStatus?: number;
}

const KNOWN = ['realm', 'charset', 'scheme', 'errorStatus'] as const;
// A quoted-string (RFC 9110 §5.6.4) that needs no escaping, so the header can never be split.
const UNSAFE_REALM = /["\\\u0000-\u001f\u007f]/;

/**
 * HTTP Basic authentication (RFC 7617), as Microdot's `BasicAuth`. The callback gets the user
 * name and password; a request without valid credentials gets the status (401), an empty
 * body and `WWW-Authenticate: Basic realm="…", charset="UTF-8"`. Malformed credentials (not
 * base64, no colon, not UTF-8) count as none: never a 500.
 *
 * @example
 * ```ts
 * import { BasicAuth, verifyPassword } from 'microdot-ts/auth';
 *
 * const basic = new BasicAuth<User>({ realm: 'Admin area' });
 * basic.authenticate(async (req, username, password) => {
 *   const user = users.get(username);
 *   return user && (await verifyPassword(password, user.hash)) ? user : undefined;
 * });
 * app.get('/admin', basic.required((req) => `Hello, ${basic.currentUser(req)!.name}`));
 * ```
 */
export class BasicAuth<U = unknown> extends HTTPAuth<U, [username: string, password: string]> {
  /** The realm of the challenge. */
  readonly realm: string;
  /** The charset of the challenge. */
  readonly charset: string;
  /** The scheme of the challenge. */
  readonly scheme: string;
  /** The status of the default error response. */
  readonly errorStatus: number;

  /** @throws AuthConfigError for an unknown option, or a realm with a quote, backslash or control character. */
  constructor(options: BasicAuthOptions = {}) {
    super();
    checkKnownOptions('BasicAuth', options, KNOWN);
    const {
      realm = 'Please login',
      charset = 'UTF-8',
      scheme = 'Basic',
      errorStatus = 401,
    } = options;
    if (typeof realm !== 'string' || UNSAFE_REALM.test(realm)) {
      throw new AuthConfigError(
        `BasicAuth: realm must be text without quotes, backslashes, CR/LF or other control characters, got ${JSON.stringify(realm)}`,
      );
    }
    this.realm = realm;
    this.charset = checkToken('BasicAuth', 'charset', charset);
    this.scheme = checkToken('BasicAuth', 'scheme', scheme);
    this.errorStatus = checkErrorStatus('BasicAuth', errorStatus);
  }

  protected override defaultError(): HandlerResult {
    return [
      '',
      this.errorStatus,
      { 'WWW-Authenticate': `${this.scheme} realm="${this.realm}", charset="${this.charset}"` },
    ];
  }

  protected override credentials(req: Request): [string, string] | undefined {
    return parseBasicCredentials(req.header('authorization'));
  }
}
