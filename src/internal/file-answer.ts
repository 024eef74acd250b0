// Fills in a `Response.sendFile` answer against its request. The file code (node:fs) is loaded
// on the first file sent, so an app that sends none (on Workers, say) never loads it.
import type { Request } from '../request.js';
import type { Response } from '../response.js';

/** `res` with its file looked at (stat, validators, range); rejects as the file code does. */
export async function prepareFileResponse(req: Request, res: Response): Promise<Response> {
  const file = res.file!;
  res.file = undefined;
  const { prepareFile } = await import('./file-response.js');
  return prepareFile(req, res, file);
}
