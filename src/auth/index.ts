// Public surface of 'microdot-ts/auth': HTTP Basic and token authentication (Microdot's
// auth.py), and password hashing.
export { BasicAuth, type BasicAuthOptions } from './basic-auth.js';
export {
  MAX_CREDENTIALS_LENGTH,
  parseBasicCredentials,
  parseTokenCredentials,
} from './credentials.js';
export { AuthConfigError } from './errors.js';
export { type AuthErrorHandler, HTTPAuth, type MaybeUser } from './http-auth.js';
export {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  passwordNeedsRehash,
  type ScryptCost,
  verifyPassword,
} from './password.js';
export { LoginThrottle, type LoginThrottleOptions, type ThrottleAttempt } from './throttle.js';
export { TokenAuth, type TokenAuthOptions } from './token-auth.js';
