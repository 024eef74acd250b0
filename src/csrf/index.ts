// microdot-ts/csrf: cross-site request forgery protection (Microdot's csrf.py).
export { CSRF, type CSRFOptions } from './csrf.js';
export type { CsrfReason, CsrfVerdict } from './verdict.js';
