// Text of one Server-Sent Event, as the HTML standard's event-stream format reads it
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream).
// Microdot writes the data after a single `data: ` prefix; a line break inside it would end the
// field there and lose (or reinterpret) the rest, so each line gets its own `data:` field.

/** How one event is sent (see `SSE.send`). */
export interface SendOptions {
  /** The event name (`event:` field); the client's `addEventListener(name, …)` receives it. */
  event?: string;
  /** The event id (`id:` field); a reconnecting browser sends it back as `Last-Event-ID`. */
  id?: string;
  /** Seconds a browser waits before reconnecting (`retry:` field, written in milliseconds). */
  retry?: number;
  /** Send the data as a comment line (`: …`), which browsers ignore: a keep-alive or a note. */
  comment?: boolean;
}

const LINE_BREAK = /\r\n|\r|\n/;
const decoder = new TextDecoder();

/**
 * The data of an event as text, as Microdot converts it: a string as is, bytes as UTF-8, an
 * `Error` as its message (Python's `str(exc)`), a number, bigint or boolean with `String()`, and
 * anything else (objects, arrays, `null`) as JSON.
 */
export function dataText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return decoder.decode(data);
  if (data instanceof Error) return data.message;
  if (typeof data === 'number' || typeof data === 'bigint' || typeof data === 'boolean') {
    return String(data);
  }
  const json = JSON.stringify(data);
  // `undefined`, a function or a symbol has no JSON form.
  if (json === undefined) throw new TypeError('SSE data must be text, bytes or a JSON value');
  return json;
}

/**
 * The wire text of one event: `event:`, `id:`, `retry:` and one `data:` line per line of the
 * data, then a blank line. Throws `TypeError` for an event name or id with a line break (it
 * would inject fields), an id with NUL (browsers ignore it), or a bad `retry`.
 *
 * @example
 * ```ts
 * formatEvent('a\nb', { event: 'tick', id: '7' }); // 'event: tick\nid: 7\ndata: a\ndata: b\n\n'
 * formatEvent('ping', { comment: true });          // ': ping\n\n'
 * ```
 */
export function formatEvent(data: unknown, options: SendOptions = {}): string {
  const text = dataText(data);
  if (options.comment) return `${prefixLines(': ', text)}\n`;
  let out = '';
  if (options.event !== undefined && options.event !== '') {
    checkField('event', options.event);
    out += `event: ${options.event}\n`;
  }
  if (options.id !== undefined) {
    checkField('id', options.id);
    if (options.id.includes('\0')) throw new TypeError('An SSE event id cannot contain NUL');
    out += `id: ${options.id}\n`;
  }
  if (options.retry !== undefined) {
    const ms = options.retry * 1000;
    if (!Number.isFinite(ms) || ms < 0) {
      throw new TypeError('SSE retry must be a non-negative number of seconds');
    }
    out += `retry: ${Math.round(ms)}\n`;
  }
  return `${out}${prefixLines('data: ', text)}\n`;
}

function checkField(name: string, value: string): void {
  if (typeof value !== 'string' || LINE_BREAK.test(value)) {
    throw new TypeError(`An SSE event ${name} must be a string without CR or LF`);
  }
}

function prefixLines(prefix: string, text: string): string {
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `${prefix}${line}\n`;
  return out;
}
