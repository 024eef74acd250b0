/**
 * The user version of a login (`LoginOptions.userVersion`), as Django's session auth hash.
 *
 * A session that says only `_user_id: 1` is worth a login as whoever is user 1 *now*: an
 * account deleted and recreated under the same id (a users table emptied, a sequence reset)
 * inherits every live session and remember-me token of the old one, and a password change ends
 * none of them in cookie mode. With a version, the session also holds a digest of what the
 * application says the user's version is (`_user_v`), and a login is honoured only while the
 * digest matches the user as loaded now.
 *
 * Only a digest goes into the session: a signed cookie is readable by its holder, and the
 * version may be a password hash. Numbers and strings with the same text are one version
 * (`42` and `'42'`, as databases give them back either way). Pure.
 */
import { createHash } from 'node:crypto';

/** The session key of the version digest (Python Microdot neither writes nor reads it). */
export const VERSION_KEY = '_user_v';
/** The remember-me token's claim of the version digest. */
export const VERSION_CLAIM = 'user_v';

const CONTEXT = 'microdot-ts login user version\u0000';

/**
 * The digest kept for `version`: 128 bits of SHA-256, base64url (22 characters); `undefined`
 * when `version` is not a non-empty string or a finite number (no version: fail closed).
 *
 * @example
 * ```ts
 * versionDigest('$scrypt$ln=15,r=8,p=3$…'); // 'k3Y…' (22 characters)
 * versionDigest(7) === versionDigest('7');   // true
 * versionDigest('');                        // undefined
 * ```
 */
export function versionDigest(version: unknown): string | undefined {
  let text: string;
  if (typeof version === 'string' && version !== '') text = version;
  else if (typeof version === 'number' && Number.isFinite(version)) text = String(version);
  else return undefined;
  return createHash('sha256')
    .update(CONTEXT + text)
    .digest('base64url')
    .slice(0, 22);
}

/** The `userVersion` of a Login: the digest of a user's version, required or compared. */
export class UserVersions<User extends { id: string | number }> {
  readonly #version: (user: User) => unknown;

  constructor(version: (user: User) => unknown) {
    this.#version = version;
  }

  /** The digest of `user`'s version; throws a TypeError saying so when it has none. */
  async require(user: User, method: string): Promise<string> {
    const digest = versionDigest(await this.#version(user));
    if (digest === undefined) {
      throw new TypeError(
        `${method}: userVersion(user) must give a non-empty string or a finite number for user ${String(user?.id)}`,
      );
    }
    return digest;
  }

  /** Whether `stored` (a session's or a token's digest) is `user`'s version now. */
  async matches(user: User, stored: unknown): Promise<boolean> {
    const digest = versionDigest(await this.#version(user));
    return digest !== undefined && stored === digest;
  }
}

/**
 * Whether `stored` (a session's or a token's digest) is `user`'s version now: always true for a
 * Login without `userVersion`.
 */
export async function sameVersion<User extends { id: string | number }>(
  versions: UserVersions<User> | undefined,
  user: User,
  stored: unknown,
): Promise<boolean> {
  return versions === undefined || (await versions.matches(user, stored));
}
