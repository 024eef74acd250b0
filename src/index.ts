export {
  type AccessLogEntry,
  type AccessLogger,
  consoleAccessLog,
  formatAccessLog,
} from './access-log.js';
export { type ErrorClass, MicrodotBase, type MicrodotOptions, type MountOptions } from './app.js';
export type { BodyStream } from './body-stream.js';
export {
  type BeforeRequestHook,
  defaultOptionsHandler,
  type ErrorHandler,
  type Handler,
  type HandlerResult,
  type OptionsHandler,
  toResponse,
} from './handler.js';
export { abort, HTTPException, type HTTPExceptionOptions } from './http-exception.js';
export type { HeaderMap } from './internal/header-map.js';
export { Microdot } from './microdot.js';
export { MultiDict } from './multidict.js';
export type { RunningServer, ServerOptions } from './node.js';
export type { NodeHandler } from './node-handler.js';
export type { UpgradeHandler } from './node-upgrade.js';
export type { PathParams } from './path-params.js';
export { type AfterRequestHook, Request, type RequestInit } from './request.js';
export {
  type BodyInput,
  type HeaderRecord,
  type HeadersInput,
  type JSONValue,
  Response,
  redirect,
  type SendFileOptions,
} from './response.js';
export { ServerStartError } from './start-error.js';
export type { NodeUpgrade, UpgradeFunction } from './upgrade.js';
export type { UploadedFile } from './uploaded-file.js';
export { URLPattern } from './url-pattern.js';
export { CookieError, type CookieOptions } from './utils/set-cookie.js';
export { unwrap, wraps } from './wraps.js';
