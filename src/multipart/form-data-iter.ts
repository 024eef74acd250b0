import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { HTTPException, type Request } from '../index.js';
import { FileUpload } from './file-upload.js';
import { PartHeaderCheck } from './header-check.js';

/** Limits of a multipart body; each one exceeded gives a 413. */
export interface MultipartOptions {
  /** The largest file, in bytes (default: no limit but the app's `maxContentLength`). */
  maxFileSize?: number;
  /** The most parts, fields and files together (default 1000). */
  maxParts?: number;
  /** The largest text field, in bytes (default 1 MiB). */
  maxFieldSize?: number;
  /** `withFormData`: files up to this size stay in memory, larger ones go to a temporary file. */
  maxMemorySize?: number;
  /** `withFormData`: where temporary files go (default `os.tmpdir()`). */
  tmpDir?: string;
}

/** A part of the form: its name, and the text of a field or a file. */
export type FormPart = [name: string, value: string | FileUpload];

/** RFC 2046 §5.1.1: 1 to 70 characters. */
const MAX_BOUNDARY = 70;

/**
 * Streams the parts of a `multipart/form-data` body (Microdot's `FormDataIter`), for uploads
 * too large to hold. A text field comes as a string; a file as a {@link FileUpload} that reads
 * straight from the request and must be read (or copied, or saved) before the next iteration,
 * or what is left of it is skipped. Another content type gives no parts.
 *
 * The body is parsed by `@fastify/busboy`, as it arrives. A body over a limit throws a 413, a
 * malformed one (no or a bad boundary, a cut-off body, a broken part) a 400, and a client that
 * goes away a 400: never a 500.
 *
 * @example
 * ```ts
 * app.post('/upload', async (req) => {
 *   const saved: string[] = [];
 *   for await (const [name, value] of new FormDataIter(req, { maxFileSize: 50 * 1024 * 1024 })) {
 *     if (typeof value === 'string') continue;
 *     const path = `/srv/uploads/${randomUUID()}`;
 *     await value.save(path);
 *     saved.push(name);
 *   }
 *   return { saved };
 * });
 * ```
 */
export class FormDataIter implements AsyncIterable<FormPart> {
  /** Default of {@link MultipartOptions.maxParts}. */
  static maxParts = 1000;
  /** Default of {@link MultipartOptions.maxFieldSize}. */
  static maxFieldSize = 1024 * 1024;

  readonly #req: Request;
  readonly #options: MultipartOptions;

  constructor(req: Request, options: MultipartOptions = {}) {
    this.#req = req;
    this.#options = options;
  }

  [Symbol.asyncIterator](): AsyncIterator<FormPart> {
    return this.#parts();
  }

  async *#parts(): AsyncGenerator<FormPart> {
    const type = this.#req.contentType;
    if (type === undefined || !/^multipart\/form-data\s*(;|$)/i.test(type)) return;
    const boundary = /;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(type);
    const value = boundary?.[1] ?? boundary?.[2] ?? '';
    if (value.length === 0 || value.length > MAX_BOUNDARY) {
      throw new HTTPException(400, { message: 'Malformed multipart body: bad boundary' });
    }
    const parse = new MultipartParse(this.#req, type, value, this.#options);
    try {
      for (;;) {
        const part = await parse.next();
        if (part === undefined) return;
        yield part;
        if (part[1] instanceof FileUpload) await part[1].discardLive();
      }
    } finally {
      parse.stop();
    }
  }
}

/** One run of busboy over a request's stream, as a queue of parts. */
class MultipartParse {
  readonly #queue: FormPart[] = [];
  readonly #busboy: ReturnType<typeof Busboy>;
  #failure: unknown;
  #finished = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  #file: BusboyFileStream | undefined;
  readonly #check: PartHeaderCheck;

  constructor(req: Request, type: string, boundary: string, options: MultipartOptions) {
    this.#check = new PartHeaderCheck(boundary);
    try {
      this.#busboy = Busboy({
        headers: { 'content-type': type },
        preservePath: true,
        isPartAFile: (_name, _type, filename) => filename !== undefined,
        limits: {
          parts: options.maxParts ?? FormDataIter.maxParts,
          fileSize: options.maxFileSize ?? Number.POSITIVE_INFINITY,
          fieldSize: options.maxFieldSize ?? FormDataIter.maxFieldSize,
        },
      });
    } catch (err) {
      throw new HTTPException(400, { message: 'Malformed multipart body', cause: err });
    }
    const bb = this.#busboy;
    bb.on('field', (name, text, _nameTruncated, valueTruncated) => {
      if (valueTruncated) this.#fail(tooLarge('A form field is larger than maxFieldSize'));
      else this.#push([name, text]);
    });
    bb.on('file', (name, stream, filename, _encoding, mimeType) => {
      this.#file = stream;
      stream.on('limit', () => {
        const err = tooLarge('An uploaded file is larger than maxFileSize');
        stream.destroy(err);
        this.#fail(err);
      });
      stream.on('error', () => {}); // reported through the reader and #fail
      const chunks = stream.iterator({ destroyOnReturn: false });
      this.#push([name, new FileUpload(filename, mimeType, chunks)]);
    });
    const tooMany = () => this.#fail(tooLarge('Too many parts in the form (maxParts)'));
    bb.on('partsLimit', tooMany);
    bb.on('filesLimit', tooMany);
    bb.on('fieldsLimit', tooMany);
    bb.on('error', (err: unknown) =>
      this.#fail(new HTTPException(400, { message: 'Malformed multipart body', cause: err })),
    );
    bb.on('finish', () => {
      this.#finished = true;
      this.#notify();
    });
    void this.#pump(req);
  }

  /** The next part, `undefined` after the last; throws the first failure. */
  async next(): Promise<FormPart | undefined> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      const part = this.#queue.shift();
      if (part !== undefined) return part;
      if (this.#finished) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Stops parsing (the iteration ended, early or not): nothing keeps reading the request. */
  stop(): void {
    this.#stopped = true;
    this.#file?.destroy();
    this.#busboy.destroy();
    this.#notify();
  }

  async #pump(req: Request): Promise<void> {
    const bb = this.#busboy;
    try {
      for await (const chunk of req.stream) {
        if (this.#stopped || this.#failure !== undefined) return;
        const problem = this.#check.write(chunk);
        if (problem !== undefined) {
          this.#fail(new HTTPException(400, { message: problem }));
          return;
        }
        await new Promise<void>((resolve, reject) => {
          const onStop = () => resolve();
          this.#onStop = onStop;
          bb.write(chunk, (err) => (err ? reject(err) : resolve()));
        });
      }
      if (this.#stopped || this.#failure !== undefined) return;
      const problem = this.#check.end();
      if (problem !== undefined) this.#fail(new HTTPException(400, { message: problem }));
      else bb.end();
    } catch (err) {
      this.#fail(
        err instanceof HTTPException
          ? err
          : new HTTPException(400, { message: 'Malformed multipart body', cause: err }),
      );
    }
  }

  #onStop: (() => void) | undefined;

  #push(part: FormPart): void {
    this.#queue.push(part);
    this.#notify();
  }

  #fail(err: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    // A file being read gets the same error, so its reader never waits for data that won't come.
    if (this.#file !== undefined && !this.#file.destroyed) this.#file.destroy(err as Error);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    const onStop = this.#onStop;
    if (onStop !== undefined && (this.#stopped || this.#failure !== undefined)) {
      this.#onStop = undefined;
      onStop();
    }
  }
}

function tooLarge(message: string): HTTPException {
  return new HTTPException(413, { message });
}
