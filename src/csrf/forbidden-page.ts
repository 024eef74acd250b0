// The answer to a refused request: a short HTML page for a browser form or navigation, so a
// person who lands on it knows what happened; plain `Forbidden` (Microdot's) for anything else.
import { Response } from '../response.js';

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>403 Forbidden: request from another site</title>
  </head>
  <body>
    <h1>Forbidden</h1>
    <p>This form was sent from another web site, or by a browser that did not say where it
    came from, so it was refused to protect your account. Nothing was changed.</p>
    <p>If you meant to do this, go to <a href="/">this site</a> and submit the form from there.</p>
  </body>
</html>
`;

/**
 * Whether a request is a browser form post or page navigation (HTML wanted): a body an HTML
 * form can send, `Sec-Fetch-Dest: document`, or an `Accept` that names `text/html`.
 */
export function wantsHtml(
  contentType: string | undefined,
  fetchDest: string | undefined,
  accept: string | undefined,
): boolean {
  const type = contentType === undefined ? '' : contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (FORM_TYPES.includes(type)) return true;
  if (fetchDest?.trim().toLowerCase() === 'document') return true;
  return accept?.toLowerCase().includes('text/html') === true;
}

/** The 403 response for a refused request; it reflects nothing from the request. */
export function forbiddenResponse(html: boolean): Response {
  if (!html) return new Response('Forbidden', 403);
  return new Response(PAGE, 403, {
    'Content-Type': 'text/html; charset=UTF-8',
    'Cache-Control': 'no-store',
  });
}
