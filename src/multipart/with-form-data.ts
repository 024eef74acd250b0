import { type Handler, MultiDict } from '../index.js';
import type { FileUpload } from './file-upload.js';
import { FormDataIter, type MultipartOptions } from './form-data-iter.js';

/**
 * Wraps a handler so that a `multipart/form-data` body is parsed before it runs (Microdot's
 * `with_form_data`): `req.form` gets the text fields and `req.files` the files, each held in
 * memory up to `maxMemorySize` bytes or else in a temporary file. Every file is closed (its
 * temporary file removed) when the handler is done, whether it returned or threw, and when
 * parsing fails half-way. A body of another type reaches the handler untouched.
 *
 * Limits (see {@link MultipartOptions}): over `maxFileSize`, `maxParts`, `maxFieldSize` or the
 * app's `maxContentLength` → 413; a malformed body → 400. The handler does not run then.
 *
 * @example
 * ```ts
 * import { FileUpload, withFormData } from 'microdot-ts/multipart';
 *
 * const app = new Microdot({ maxContentLength: 20 * 1024 * 1024 });
 * app.post('/upload', withFormData(async (req) => {
 *   const file = req.files.get('file') as FileUpload | undefined;
 *   return { title: req.form?.get('title'), name: file?.filename, size: file?.size };
 * }, { maxFileSize: 10 * 1024 * 1024 }));
 * ```
 */
export function withFormData<P = Record<string, unknown>>(
  handler: Handler<P>,
  options: MultipartOptions = {},
): Handler<P> {
  return async (req, params) => {
    const form = new MultiDict<string>();
    const files = new MultiDict<FileUpload>();
    let parts = 0;
    try {
      for await (const [name, value] of new FormDataIter(req, options)) {
        parts++;
        if (typeof value === 'string') {
          form.add(name, value);
        } else {
          files.add(name, value);
          await value.copy(options.maxMemorySize, options.tmpDir);
        }
      }
      if (parts > 0) req.setFormData(form, files);
      return await handler(req, params);
    } finally {
      await Promise.all([...files].map(([, file]) => file.close()));
    }
  };
}
