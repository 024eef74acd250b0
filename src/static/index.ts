import { realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { type Handler, HTTPException, type Request, Response } from '../index.js';
import { type DotfilesPolicy, staticSegments } from './segments.js';

export { type DotfilesPolicy, staticSegments } from './segments.js';

/** Options of {@link serveStatic}. */
export interface StaticOptions {
  /** The file served for a directory (default `index.html`); `false` serves none (404). */
  index?: string | false;
  /** `Cache-Control: max-age` in seconds (default: `Response.defaultSendFileMaxAge`). */
  maxAge?: number;
  /** Paths with a segment starting with `.`: `'ignore'` (404, the default), `'deny'` (403), `'allow'`. */
  dotfiles?: DotfilesPolicy;
  /** Serve `file.br` / `file.gz` instead of `file` when they exist and the client accepts them (default true). */
  precompressed?: boolean;
}

const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

/**
 * A handler that serves the files under `root` for a `<path:…>` route, with `Response.sendFile`
 * (so ETag, Last-Modified, 304, HEAD and byte ranges come with it). The path is checked before
 * the file system is touched (see {@link staticSegments}: `..`, `%2e%2e`, an encoded `/`, NUL,
 * absolute paths → 404), then resolved with symbolic links followed: a file whose real path is
 * outside the real `root` is a 404 too. A `.br` or `.gz` sibling is sent instead of the file
 * when the client's `Accept-Encoding` allows it, with `Vary: Accept-Encoding`.
 *
 * @example
 * ```ts
 * app.get('/static/<path:path>', serveStatic('public', { maxAge: 3600 }));
 * app.get('/', serveStatic('public')); // public/index.html
 * ```
 */
export function serveStatic(root: string, options: StaticOptions = {}): Handler {
  if (typeof root !== 'string' || root === '') {
    throw new TypeError('serveStatic(root): root must be the directory to serve, such as "public"');
  }
  const dotfiles = options.dotfiles ?? 'ignore';
  if (!['ignore', 'allow', 'deny'].includes(dotfiles)) {
    throw new TypeError(
      `serveStatic: dotfiles must be 'ignore', 'allow' or 'deny', not ${JSON.stringify(dotfiles)}`,
    );
  }
  const index = options.index ?? 'index.html';
  if (index !== false && (typeof index !== 'string' || index === '' || index.includes('/'))) {
    throw new TypeError('serveStatic: index must be a file name such as "index.html", or false');
  }
  if (
    options.maxAge !== undefined &&
    !(Number.isSafeInteger(options.maxAge) && options.maxAge >= 0)
  ) {
    throw new TypeError('serveStatic: maxAge must be a whole number of seconds, such as 3600');
  }
  const absoluteRoot = resolve(root);
  let realRoot: Promise<string | undefined> | undefined;
  const precompressed = options.precompressed ?? true;

  return async (req, params) => {
    const segments = staticSegments(pathParam(params), dotfiles);
    if (typeof segments === 'number') throw new HTTPException(segments);
    realRoot ??= realpath(absoluteRoot).catch(() => undefined);
    const base = await realRoot;
    if (base === undefined) throw new HTTPException(404);
    let file = await inside(base, join(absoluteRoot, ...segments));
    if (file === undefined) throw new HTTPException(404);
    if ((await stat(file)).isDirectory()) {
      file = index === false ? undefined : await inside(base, join(file, index));
      if (file === undefined) throw new HTTPException(404);
    }
    const common = { maxAge: options.maxAge };
    if (precompressed) {
      for (const [encoding, extension] of ENCODINGS) {
        if (!accepts(req, encoding)) continue;
        const sibling = await inside(base, file + extension);
        if (sibling === undefined || !(await stat(sibling)).isFile()) continue;
        const res = Response.sendFile(file, {
          ...common,
          compressed: encoding,
          fileExtension: extension,
        });
        res.setHeader('Vary', 'Accept-Encoding');
        return res;
      }
    }
    const res = Response.sendFile(file, common);
    if (precompressed) res.setHeader('Vary', 'Accept-Encoding');
    return res;
  };
}

/** The route's path argument: `path` if the pattern names one, else its only string argument. */
function pathParam(params: Record<string, unknown>): string {
  if (typeof params.path === 'string') return params.path;
  const values = Object.values(params).filter((v): v is string => typeof v === 'string');
  return values.length === 1 ? values[0]! : '';
}

/** The real path of `path` when it exists and lies inside `base` (itself a real path). */
async function inside(base: string, path: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return undefined;
  }
  return real === base || real.startsWith(base.endsWith(sep) ? base : base + sep)
    ? real
    : undefined;
}

/** Whether `Accept-Encoding` accepts `encoding` (named with a q above 0, or by `*`). */
function accepts(req: Request, encoding: string): boolean {
  const header = req.header('accept-encoding');
  if (header === undefined) return false;
  let star = false;
  for (const item of header.split(',')) {
    const [name = '', ...params] = item.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (name.trim() === encoding) return weight > 0;
    if (name.trim() === '*') star = weight > 0;
  }
  return star;
}
