/**
 * Content types by file extension: Microdot's `Response.types_map` (same values, so its tests
 * hold), plus the types a static site needs. Anything else is `application/octet-stream`.
 */
const TYPES: Record<string, string> = {
  css: 'text/css',
  gif: 'image/gif',
  html: 'text/html',
  jpg: 'image/jpeg',
  js: 'application/javascript',
  json: 'application/json',
  png: 'image/png',
  txt: 'text/plain',
  htm: 'text/html',
  mjs: 'application/javascript',
  map: 'application/json',
  jpeg: 'image/jpeg',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  wasm: 'application/wasm',
  pdf: 'application/pdf',
  xml: 'application/xml',
  csv: 'text/csv',
  md: 'text/markdown',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  zip: 'application/zip',
  webmanifest: 'application/manifest+json',
};

/** The content type of a file name, by its extension (case-insensitive). */
export function contentTypeFor(filename: string): string {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot === -1) return 'application/octet-stream';
  return Object.hasOwn(TYPES, base.slice(dot + 1).toLowerCase())
    ? TYPES[base.slice(dot + 1).toLowerCase()]!
    : 'application/octet-stream';
}
