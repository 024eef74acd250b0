// Public surface of 'microdot-ts/login': user logins on sessions (Microdot's login.py).
export { Login } from './login.js';
export { LoginNotFreshError, type LogoutOthersOptions } from './logout-others.js';
export { encodeNext, isSafeNext, MAX_NEXT_LENGTH } from './next-url.js';
export {
  type FreshOptions,
  LoginConfigError,
  type LoginOptions,
  type LoginUser,
  type LoginUserOptions,
  type UserVersion,
} from './options.js';
export { REMEMBER_COOKIE, REUSE_GRACE } from './remember.js';
