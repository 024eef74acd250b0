// Conditional and range requests for files (RFC 9110 §13 and §14), as pure functions of the
// request's headers and the file's validators.

/** A byte range of a file, both ends included. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The single byte range a `Range` header asks of a file of `size` bytes (RFC 9110 §14.1.2):
 * `bytes=a-b`, `bytes=a-`, `bytes=-n`. `undefined` means "send the whole file": no header, a
 * unit other than bytes, several ranges, or a malformed one (a server may ignore Range).
 * `'unsatisfiable'` means a 416: a well-formed range that starts past the end, or an empty file.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=[\t ]*(\d*)-(\d*)[\t ]*$/i.exec(header);
  if (m === null) return undefined;
  const [, first, last] = m as unknown as [string, string, string];
  if (first === '' && last === '') return undefined;
  if (first.length > 15 || last.length > 15) return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** The entity tags of an `If-None-Match` / `If-Match` list; `'*'` for any. */
function entityTags(header: string): string[] | '*' {
  if (header.trim() === '*') return '*';
  return header
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Weak comparison (RFC 9110 §8.8.3.2): equal once any `W/` is dropped. */
function weakMatch(a: string, b: string): boolean {
  return a.replace(/^W\//, '') === b.replace(/^W\//, '');
}

/** A date header in whole seconds since the epoch, or `undefined` when it is not a date. */
function parseDate(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const ms = Date.parse(header);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** What a GET or HEAD gets for the validators of a file (RFC 9110 §13.2.2). */
export interface ValidatorHeaders {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

/**
 * Whether a GET/HEAD may be answered 304: `If-None-Match` lists the file's tag (or `*`); or,
 * without `If-None-Match`, the file is no newer than `If-Modified-Since`.
 */
export function notModified(
  headers: ValidatorHeaders,
  etag: string,
  mtimeSeconds: number,
): boolean {
  if (headers.ifNoneMatch !== undefined) {
    const tags = entityTags(headers.ifNoneMatch);
    return tags === '*' || tags.some((t) => weakMatch(t, etag));
  }
  const since = parseDate(headers.ifModifiedSince);
  return since !== undefined && mtimeSeconds <= since;
}

/**
 * Whether `If-Range` lets a Range through (RFC 9110 §13.1.5): absent, or a strong tag equal to
 * the file's, or a date equal to its Last-Modified.
 */
export function ifRangeAllows(
  header: string | undefined,
  etag: string,
  mtimeSeconds: number,
): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith('W/'))
    return !value.startsWith('W/') && value === etag;
  return parseDate(value) === mtimeSeconds;
}

/** A strong tag for a file, from its size and modification time (as nginx makes them). */
export function fileETag(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}
