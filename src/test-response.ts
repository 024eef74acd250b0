// What the test client gives back: a TestResponse, made from the app's Response (in-process) or
// from a response read off a connection (over a socket, a WebSocket handshake refused).
import type { IncomingMessage } from 'node:http';
import { jsonBodyOf } from './internal/content-type.js';
import type { Response } from './response.js';
import { eventsOf, type ServerSentEvent } from './utils/event-stream.js';

/** A response as the `TestClient` received it. */
export interface TestResponse {
  /** The status code. */
  statusCode: number;
  /** The reason phrase. */
  reason: string;
  /** The headers, by lower-case name; `set-cookie` is a list. */
  headers: Record<string, string | string[]>;
  /** The body bytes (empty for HEAD). */
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
  /** The body parsed as JSON when the response is JSON, else `undefined`. */
  json: unknown;
  /** The events of a `text/event-stream` response (Microdot's `events`), else `undefined`. */
  events?: ServerSentEvent[];
  /** After `TestClient.websocket` upgraded: how the connection was closed. */
  websocketClose?: { code: number; reason: string };
}

/** The body bytes of `res` (none for HEAD), a streamed body read to its end. */
export async function bodyBytes(res: Response, method: string): Promise<Buffer> {
  const raw = res.body;
  if (method === 'HEAD' || raw === null) return Buffer.alloc(0);
  if (typeof raw === 'string') return Buffer.from(raw);
  if (raw instanceof Uint8Array) return Buffer.from(raw);
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** `res` as a TestResponse, with `body` its bytes. */
export function toTestResponse(res: Response, method: string, body: Buffer): TestResponse {
  const headers: Record<string, string | string[]> = { ...res.headers };
  if (res.cookies.length > 0) headers['set-cookie'] = [...res.cookies];
  if (
    method !== 'HEAD' &&
    !(res.body instanceof Uint8Array) &&
    typeof res.body !== 'string' &&
    res.body !== null
  ) {
    // A streamed body has no length until it is read.
  } else if (
    headers['content-length'] === undefined &&
    res.statusCode !== 204 &&
    res.statusCode !== 304
  ) {
    headers['content-length'] = String(
      typeof res.body === 'string'
        ? Buffer.byteLength(res.body)
        : res.body === null
          ? 0
          : (res.body as Uint8Array).byteLength,
    );
  }
  const text = body.toString('utf8');
  const json = jsonBodyOf(res.headers['content-type'], text);
  const events = eventsOf(res.headers['content-type'], text);
  return {
    statusCode: res.statusCode,
    reason: res.statusText,
    headers,
    body,
    text,
    json,
    ...(events === undefined ? {} : { events }),
  };
}

/** Node's headers as the test client gives them (`set-cookie` a list, the rest text). */
export function plainHeaders(
  headers: IncomingMessage['headers'],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
}

/** A response read from a connection, as a TestResponse. */
export function responseOf(res: IncomingMessage, body: Buffer): TestResponse {
  const headers = plainHeaders(res.headers);
  const text = body.toString('utf8');
  const contentType = res.headers['content-type'];
  const events = eventsOf(contentType, text);
  return {
    statusCode: res.statusCode ?? 0,
    reason: res.statusMessage ?? '',
    headers,
    body,
    text,
    json: jsonBodyOf(contentType, text),
    ...(events === undefined ? {} : { events }),
  };
}
