export { MemoryStore, type MemoryStoreOptions } from '../stores/memory.js';
export type {
  SessionData,
  SessionMeta,
  SessionPatch,
  SessionStore,
  SetOptions,
  StoredSession,
} from '../stores/store.js';
export { META_KEY, StoreUnavailableError } from '../stores/store.js';
export {
  SecretKeyNotConfiguredError,
  SessionConfigError,
  SessionError,
  SessionTooLargeError,
} from './errors.js';
export { KeyRing, type SecretInput, type SessionKey } from './keyring.js';
export type { InvalidReason, SessionOptions } from './options.js';
export { Session, type SessionClaims } from './session.js';
export { RESERVED_KEYS, type SessionDict, type SessionMethods } from './session-dict.js';
export type { SessionInfo } from './session-info.js';
export type { StandardSchemaResult, StandardSchemaV1 } from './standard-schema.js';
export { withSession } from './with-session.js';
