/** `application/json` or a `+json` type such as `application/problem+json` (RFC 6839 §3.1). */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** Whether a Content-Type names JSON. */
export function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_TYPE.test(contentType);
}

/** `text` parsed as JSON when `contentType` names JSON and it parses, else `undefined`. */
export function jsonBodyOf(contentType: string | undefined, text: string): unknown {
  if (!isJsonType(contentType)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
