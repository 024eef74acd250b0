// The node:fs side of Response.sendFile: loaded on the first file sent, so an app on a runtime
// without node:fs (Workers) never imports it. Stats the file, answers conditional and range
// requests, and streams it from disk (opened only when the body is read: a HEAD or a 304
// never opens it).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { HTTPException } from '../http-exception.js';
import type { Request } from '../request.js';
import type { Response } from '../response.js';
import { fileETag, ifRangeAllows, notModified, parseRange } from './conditional.js';

/** A file that a response sends, resolved against the request by {@link prepareFile}. */
export interface FileSource {
  /** The path opened (with any `fileExtension` already appended). */
  readonly path: string;
  /** Read buffer size (Microdot's `send_file_buffer_size`). */
  readonly bufferSize: number;
}

/** Errors of `stat` that mean "no such file here". */
const MISSING = new Set([
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'ENAMETOOLONG',
  'ELOOP',
  'EACCES',
  'EPERM',
]);

/**
 * Fills in `res` for `file`: Content-Length and a body read from disk; for a 200, also ETag,
 * Last-Modified and Accept-Ranges, and a 304 (`If-None-Match`, `If-Modified-Since`), 206 (one
 * `Range`, honouring `If-Range`) or 416. A missing file is a 404.
 */
export async function prepareFile(
  req: Request,
  res: Response,
  file: FileSource,
): Promise<Response> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file.path);
  } catch (err) {
    if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) {
      throw new HTTPException(404, { message: 'Not found', cause: err });
    }
    throw err;
  }
  if (!info.isFile()) throw new HTTPException(404, { message: 'Not found' });
  const size = Number(info.size);
  let start = 0;
  let end = size - 1;
  const readable = req.method === 'GET' || req.method === 'HEAD';
  if (res.statusCode === 200 && readable) {
    const etag = fileETag(size, Number(info.mtimeMs));
    const mtime = Math.floor(Number(info.mtimeMs) / 1000);
    res.headers.etag ??= etag;
    res.headers['last-modified'] ??= new Date(mtime * 1000).toUTCString();
    res.headers['accept-ranges'] = 'bytes';
    const validators = {
      ifNoneMatch: req.header('if-none-match'),
      ifModifiedSince: req.header('if-modified-since'),
    };
    if (notModified(validators, res.headers.etag, mtime)) {
      res.statusCode = 304;
      res.body = null;
      return res;
    }
    const range = ifRangeAllows(req.header('if-range'), res.headers.etag, mtime)
      ? parseRange(req.header('range'), size)
      : undefined;
    if (range === 'unsatisfiable') {
      res.statusCode = 416;
      res.headers['content-range'] = `bytes */${size}`;
      res.headers['content-length'] = '0';
      res.body = null;
      return res;
    }
    if (range !== undefined) {
      res.statusCode = 206;
      ({ start, end } = range);
      res.headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
  }
  const length = end - start + 1;
  res.headers['content-length'] = String(length);
  res.body = length === 0 ? null : lazyFile(file.path, start, end, file.bufferSize);
  return res;
}

/** The bytes `start`..`end` of a file, opened when iteration starts and closed when it stops. */
function lazyFile(
  path: string,
  start: number,
  end: number,
  bufferSize: number,
): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      return createReadStream(path, { start, end, highWaterMark: bufferSize })[
        Symbol.asyncIterator
      ]();
    },
  };
}
