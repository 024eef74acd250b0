export {
  type BeforeRequestHook,
  defaultOptionsHandler,
  type ErrorClass,
  type ErrorHandler,
  type Handler,
  type HandlerResult,
  Microdot,
  type MicrodotOptions,
  type MountOptions,
  type OptionsHandler,
  type RunningServer,
  type ServerOptions,
  toResponse,
} from './app.js';
export { abort, HTTPException, type HTTPExceptionOptions } from './http-exception.js';
export type { HeaderMap } from './internal/header-map.js';
export { MultiDict } from './multidict.js';
export type { NodeHandler } from './node-handler.js';
export type { PathParams } from './path-params.js';
export { type AfterRequestHook, Request, type RequestInit } from './request.js';
export {
  type BodyInput,
  type HeaderRecord,
  type HeadersInput,
  type JSONValue,
  Response,
  redirect,
} from './response.js';
export { URLPattern } from './url-pattern.js';
export { CookieError, type CookieOptions } from './utils/cookie.js';
export { unwrap, wraps } from './wraps.js';
