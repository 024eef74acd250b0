/**
 * Password hashing with scrypt (RFC 7914) from `node:crypto`: asynchronous (on libuv's thread
 * pool, so the event loop keeps serving), a random 16-byte salt per hash, and a
 * self-describing string in the PHC format, so the cost can be raised later and old hashes
 * still verify:
 *
 *   $scrypt$ln=15,r=8,p=3$<salt, base64 without padding>$<hash, base64 without padding>
 *
 * The default cost is one of OWASP's scrypt settings (N=2^15, r=8, p=3: 32 MiB of memory per
 * hash, about 0.3 s on one core of a small VM); it bounds what concurrent logins can take.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost: N = 2^`logN` (CPU and memory), `r` (block size), `p` (parallelism). */
export interface ScryptCost {
  /** log2 of N (default 15). */
  logN?: number;
  /** Block size (default 8). */
  r?: number;
  /** Parallelism (default 3). */
  p?: number;
}

/** The default cost of {@link hashPassword}. */
export const DEFAULT_SCRYPT_COST: Readonly<Required<ScryptCost>> = Object.freeze({
  logN: 15,
  r: 8,
  p: 3,
});

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Bounds on what a hash string may ask for, so a hostile one cannot exhaust memory or time. */
const MAX_LOG_N = 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 256 * 1024 * 1024;
const PHC =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22,88})\$([A-Za-z0-9+/]{43,88})$/;

interface Parsed {
  cost: Required<ScryptCost>;
  salt: Buffer;
  hash: Buffer;
}

/** Whether a cost is within the bounds this module accepts. */
function validCost(c: Required<ScryptCost>): boolean {
  return (
    Number.isInteger(c.logN) &&
    Number.isInteger(c.r) &&
    Number.isInteger(c.p) &&
    c.logN >= 1 &&
    c.logN <= MAX_LOG_N &&
    c.r >= 1 &&
    c.r <= MAX_R &&
    c.p >= 1 &&
    c.p <= MAX_P &&
    memoryOf(c) <= MAX_MEMORY
  );
}

function memoryOf(c: Required<ScryptCost>): number {
  return 128 * 2 ** c.logN * c.r + 128 * c.r * c.p;
}

/** Standard base64 without padding, as the PHC string format writes it. */
function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** The parts of a hash string this module made, or `undefined` for anything else. */
function parseHash(text: unknown): Parsed | undefined {
  if (typeof text !== 'string' || text.length > 256) return undefined;
  const m = PHC.exec(text);
  if (m === null) return undefined;
  const cost = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (!validCost(cost)) return undefined;
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  // Exactly one spelling per value: re-encoding must give the same text.
  if (b64(salt) !== m[4] || b64(hash) !== m[5] || hash.length < HASH_BYTES) return undefined;
  return { cost, salt, hash };
}

function derive(
  password: string,
  salt: Buffer,
  bytes: number,
  c: Required<ScryptCost>,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      bytes,
      { N: 2 ** c.logN, r: c.r, p: c.p, maxmem: MAX_MEMORY + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/**
 * Hashes a password with scrypt and a random salt; resolves to a self-describing string
 * (`$scrypt$ln=15,r=8,p=3$…$…`) to store as is. The password is NFKC-normalised first
 * (NIST SP 800-63B §5.1.1.2), so the same characters typed on another keyboard still match.
 *
 * @param cost Lower it only in tests; raise it freely (old hashes keep verifying).
 * @throws TypeError when `password` is not a string; RangeError for a cost out of bounds.
 *
 * @example
 * ```ts
 * const hash = await hashPassword('correct horse battery staple');
 * await verifyPassword('correct horse battery staple', hash); // true
 * ```
 */
export async function hashPassword(password: string, cost: ScryptCost = {}): Promise<string> {
  if (typeof password !== 'string')
    throw new TypeError('hashPassword: the password must be a string');
  const c = { ...DEFAULT_SCRYPT_COST, ...cost };
  if (!validCost(c)) {
    throw new RangeError(
      `hashPassword: cost out of bounds (logN 1-${MAX_LOG_N}, r 1-${MAX_R}, p 1-${MAX_P}, at most ${MAX_MEMORY / 2 ** 20} MiB), got ${JSON.stringify(cost)}`,
    );
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, c);
  return `$scrypt$ln=${c.logN},r=${c.r},p=${c.p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * Whether `password` matches `hash` (made by {@link hashPassword}, at any cost within bounds).
 * The comparison is constant-time. A malformed or foreign hash string, or a password that is
 * not a string, gives `false`: it never throws.
 *
 * @example
 * ```ts
 * if (user && (await verifyPassword(form.get('password') ?? '', user.passwordHash))) { … }
 * ```
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (parsed === undefined || typeof password !== 'string') return false;
  try {
    const derived = await derive(password, parsed.salt, parsed.hash.length, parsed.cost);
    return timingSafeEqual(derived, parsed.hash);
  } catch {
    return false;
  }
}

/**
 * Whether `hash` should be replaced by a new {@link hashPassword} the next time the user logs
 * in: it is malformed, or was made with a cost other than `cost` (the default cost if not given).
 *
 * @example
 * ```ts
 * if (await verifyPassword(password, user.hash) && passwordNeedsRehash(user.hash)) {
 *   user.hash = await hashPassword(password);
 * }
 * ```
 */
export function passwordNeedsRehash(hash: string, cost: ScryptCost = {}): boolean {
  const parsed = parseHash(hash);
  if (parsed === undefined) return true;
  const want = { ...DEFAULT_SCRYPT_COST, ...cost };
  return parsed.cost.logN !== want.logN || parsed.cost.r !== want.r || parsed.cost.p !== want.p;
}
