/** The most UTF-8 bytes a safe file name keeps (the usual file system limit). */
const MAX_BYTES = 255;

/**
 * Reduces a client's file name to a safe base name: control characters (NUL, CR, LF, …) are
 * dropped, then everything up to the last `/` or `\` (a path, from any OS), then leading dots
 * and spaces (no `..`, no hidden files), trailing spaces, and the result is cut to 255 UTF-8 bytes
 * on a character boundary. The result may be empty; it never names a directory.
 *
 * @example
 * safeFilename('../../etc/passwd'); // 'passwd'
 * safeFilename('C:\\Users\\me\\photo.jpg'); // 'photo.jpg'
 * safeFilename('..'); // ''
 */
export function safeFilename(raw: string): string {
  let name = raw.replace(/[\u0000-\u001f\u007f]/g, '');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name.replace(/^[\s.]+/, '').trim();
  // Lone surrogates cannot be encoded: drop them rather than let them become U+FFFD.
  name = name.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '',
  );
  if (Buffer.byteLength(name) <= MAX_BYTES) return name;
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > MAX_BYTES) break;
    out += ch;
    bytes += size;
  }
  return out.trimEnd();
}
