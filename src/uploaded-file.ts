/**
 * An uploaded file as `req.files` holds it. The core only names the contract; a body parser
 * (`withFormData` of `microdot-ts/multipart`, whose `FileUpload` implements it) fills
 * `req.files` through {@link Request.setFormData}.
 */
export interface UploadedFile {
  /** The client's file name reduced to a safe base name (no directories, no control characters). */
  readonly filename: string;
  /** The file name exactly as the client sent it: never use it as a path. */
  readonly rawFilename: string;
  /** The part's `Content-Type`, if sent. */
  readonly contentType: string | undefined;
  /** The size in bytes, when known (after the file was held or copied). */
  readonly size: number | undefined;
  /** Reads up to `n` bytes (all that is left without `n`); an empty array at the end. */
  read(n?: number): Promise<Uint8Array>;
  /** Writes the rest of the file to `path`. */
  save(path: string): Promise<void>;
  /** The rest of the file as chunks. */
  stream(): AsyncIterable<Uint8Array>;
  /** Frees what holds the file (memory, or a temporary file). */
  close(): Promise<void>;
}
