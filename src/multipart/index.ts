// File uploads: Microdot's multipart.py (`with_form_data`, `FormDataIter`, `FileUpload`), parsed
// by @fastify/busboy (an optional peer dependency: install it to use this module).
export { FileUpload, openTempFiles } from './file-upload.js';
export { safeFilename } from './filename.js';
export { FormDataIter, type FormPart, type MultipartOptions } from './form-data-iter.js';
export { withFormData } from './with-form-data.js';
