/** What {@link serveStatic} does with a path segment that starts with a dot. */
export type DotfilesPolicy = 'ignore' | 'allow' | 'deny';

/**
 * The segments of a URL path (already percent-decoded by the route) that a static file handler
 * may join to its root, or the status to answer: 404 for anything that could leave the root or
 * name something hidden (`..`, `.`, empty segments, an absolute path, a backslash, NUL or any
 * control character), or a dotfile under `'ignore'`; 403 for a dotfile under `'deny'`.
 * A trailing `/` is allowed (a directory's index). Pure: it never touches the file system.
 *
 * @example
 * staticSegments('css/site.css', 'ignore'); // ['css', 'site.css']
 * staticSegments('../etc/passwd', 'ignore'); // 404
 * staticSegments('.env', 'deny'); // 403
 */
export function staticSegments(path: string, dotfiles: DotfilesPolicy): string[] | 403 | 404 {
  if (/[\u0000-\u001f\u007f\\]/.test(path) || path.startsWith('/')) return 404;
  const segments = path.split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '' && path !== '') return 404;
    if (segment === '.' || segment === '..') return 404;
    if (segment.startsWith('.')) {
      if (dotfiles === 'deny') return 403;
      if (dotfiles === 'ignore') return 404;
    }
  }
  return path === '' ? [] : segments;
}
