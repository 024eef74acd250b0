// A reader of `text/event-stream` bodies, for the test client and for code that consumes an
// event stream outside a browser. It follows the HTML standard's parsing rules
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).

/** One event read from an event stream. */
export interface ServerSentEvent {
  /** The event name (`event:` field), or `undefined` for an unnamed (`message`) event. */
  event: string | undefined;
  /** The data: the `data:` lines joined with `\n`. */
  data: string;
  /** The `id:` field of this event, or `undefined` when it had none. */
  id: string | undefined;
  /** The data parsed as JSON, or `undefined` when it is not JSON (Microdot's `data_json`). */
  json: unknown;
}

/**
 * Reads every complete event of an event-stream body. Comments and `retry:` are skipped, an
 * event without `data:` is not dispatched, and an unfinished event at the end (no blank line
 * after it) is dropped, as a browser would. `id` is the event's own field: unlike a browser's
 * `lastEventId`, it does not carry over to the events after it. Never throws.
 *
 * @example
 * ```ts
 * parseEventStream('event: tick\ndata: {"n":1}\n\n');
 * // [{ event: 'tick', data: '{"n":1}', id: undefined, json: { n: 1 } }]
 * ```
 */
export function parseEventStream(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  // The last piece follows the last line break: an unfinished line, never dispatched.
  lines.pop();
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  for (const line of lines) {
    if (line === '') {
      if (data.length > 0) {
        const joined = data.join('\n');
        events.push({ event, data: joined, id, json: jsonOf(joined) });
      }
      data = [];
      event = undefined;
      id = undefined;
      continue;
    }
    if (line.charCodeAt(0) === 58 /* : */) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value === '' ? undefined : value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  return events;
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The events of a response body when its content type is `text/event-stream`, else `undefined`. */
export function eventsOf(
  contentType: string | undefined,
  text: string,
): ServerSentEvent[] | undefined {
  if (contentType === undefined || !/^text\/event-stream\s*(;|$)/i.test(contentType)) {
    return undefined;
  }
  return parseEventStream(text);
}
