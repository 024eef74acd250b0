import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadedFile } from '../index.js';
import { ChunkReader } from './chunk-reader.js';
import { safeFilename } from './filename.js';

/** Temporary files not yet removed, so that a test (or a shutdown hook) can check none is left. */
const liveTempFiles = new Set<string>();

/** The temporary files of uploads that are still open (for tests and diagnostics). */
export function openTempFiles(): readonly string[] {
  return [...liveTempFiles];
}

/**
 * An uploaded file (Microdot's `FileUpload`). From {@link FormDataIter} it reads straight from
 * the request and must be consumed before the next part; {@link FileUpload.copy} (which
 * `withFormData` calls) moves it to memory, or to a temporary file (mode 0600) when it is larger
 * than `maxMemorySize`, so it can be read later. {@link FileUpload.close} frees it; `withFormData`
 * closes every file when the handler is done, whatever happened.
 *
 * @example
 * ```ts
 * app.post('/avatar', withFormData(async (req) => {
 *   const file = req.files.get('avatar') as FileUpload | undefined;
 *   if (file === undefined) return ['No file', 400];
 *   await file.save(`/srv/avatars/${randomUUID()}.png`); // never a path built from file.rawFilename
 *   return { name: file.filename, size: file.size };
 * }));
 * ```
 */
export class FileUpload implements UploadedFile {
  /** The size up to which {@link FileUpload.copy} keeps a file in memory (default 64 KiB). */
  static maxMemorySize = 64 * 1024;

  /** The client's file name reduced to a safe base name (see {@link safeFilename}); may be ''. */
  readonly filename: string;
  /** The file name exactly as the client sent it. Never use it as a path. */
  readonly rawFilename: string;
  /** The part's `Content-Type` (`text/plain` when the part names none, as busboy reads it). */
  readonly contentType: string | undefined;

  #reader: ChunkReader;
  #size: number | undefined;
  #tempPath: string | undefined;
  #memory: Uint8Array | undefined;
  #live: boolean;
  #file: (AsyncIterator<Uint8Array> & { close(): void }) | undefined;

  /** Made by {@link FormDataIter}; not meant to be built by hand. */
  constructor(
    rawFilename: string,
    contentType: string | undefined,
    source: AsyncIterator<Uint8Array>,
  ) {
    this.rawFilename = rawFilename;
    this.filename = safeFilename(rawFilename);
    this.contentType = contentType;
    this.#reader = new ChunkReader(source);
    this.#live = true;
  }

  /** The size in bytes once known: after {@link FileUpload.copy}. */
  get size(): number | undefined {
    return this.#size;
  }

  /** Reads up to `n` bytes (all that is left without `n`); an empty array at the end. */
  read(n?: number): Promise<Uint8Array> {
    return this.#reader.read(n);
  }

  /** The rest of the file, as chunks. */
  stream(): AsyncIterable<Uint8Array> {
    return this.#reader;
  }

  /** Writes the rest of the file to `path` (created or truncated), streaming. */
  async save(path: string): Promise<void> {
    if (!this.#live && this.#tempPath !== undefined) {
      this.#reader.stop();
      await copyFile(this.#tempPath, path);
      return;
    }
    if (!this.#live && this.#memory !== undefined) {
      this.#reader.stop();
      await writeFile(path, this.#memory);
      return;
    }
    const out = createWriteStream(path);
    try {
      await writeAll(this.#reader, out);
    } catch (err) {
      out.destroy();
      throw err;
    }
  }

  /**
   * Reads the rest of the file out of the request (Microdot's `copy`): kept in memory up to
   * `maxMemorySize` bytes, else written to a temporary file in `dir`. A failure (the client
   * went away, a size limit) removes the temporary file before it rejects.
   */
  async copy(maxMemorySize = FileUpload.maxMemorySize, dir = tmpdir()): Promise<this> {
    if (!this.#live) return this;
    const chunks: Uint8Array[] = [];
    let size = 0;
    let chunk = await this.#reader.next();
    for (
      ;
      chunk !== undefined && size + chunk.byteLength <= maxMemorySize;
      chunk = await this.#reader.next()
    ) {
      chunks.push(chunk);
      size += chunk.byteLength;
    }
    if (chunk === undefined) {
      this.#memory = Buffer.concat(chunks, size);
      this.#finishCopy(size);
      return this;
    }
    const path = join(dir, `microdot-upload-${randomBytes(12).toString('hex')}`);
    liveTempFiles.add(path);
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    try {
      for (const held of chunks) await write(out, held);
      await write(out, chunk);
      size += chunk.byteLength;
      for (
        let next = await this.#reader.next();
        next !== undefined;
        next = await this.#reader.next()
      ) {
        await write(out, next);
        size += next.byteLength;
      }
      out.end();
      await once(out, 'close');
    } catch (err) {
      out.destroy();
      await removeTemp(path);
      throw err;
    }
    this.#tempPath = path;
    this.#finishCopy(size);
    return this;
  }

  /** Frees the file: memory, or its temporary file (Microdot's `close`). Safe to call twice. */
  async close(): Promise<void> {
    this.#reader.stop();
    this.#file?.close();
    this.#memory = undefined;
    const path = this.#tempPath;
    this.#tempPath = undefined;
    if (path !== undefined) await removeTemp(path);
  }

  /** @internal Reads and drops what the handler left of a file still in the request. */
  async discardLive(): Promise<void> {
    if (this.#live) await this.#reader.discard();
  }

  #finishCopy(size: number): void {
    this.#live = false;
    this.#size = size;
    if (this.#memory !== undefined) {
      this.#reader = new ChunkReader(oneChunk(this.#memory));
    } else {
      this.#file = lazyFileChunks(this.#tempPath!);
      this.#reader = new ChunkReader(this.#file);
    }
  }
}

async function removeTemp(path: string): Promise<void> {
  await rm(path, { force: true });
  liveTempFiles.delete(path);
}

function oneChunk(bytes: Uint8Array): AsyncIterator<Uint8Array> {
  let done = bytes.byteLength === 0;
  return {
    async next() {
      if (done) return { done: true, value: undefined };
      done = true;
      return { done: false, value: bytes };
    },
  };
}

/** The chunks of a file, opened on the first read (so a file never read holds no descriptor). */
function lazyFileChunks(path: string): AsyncIterator<Uint8Array> & { close(): void } {
  let stream: ReadStream | undefined;
  let chunks: AsyncIterator<Uint8Array> | undefined;
  return {
    next() {
      if (chunks === undefined) {
        stream = createReadStream(path);
        chunks = stream[Symbol.asyncIterator]();
      }
      return chunks.next();
    },
    close() {
      stream?.destroy();
    },
  };
}

async function write(out: WriteStream, chunk: Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function writeAll(chunks: AsyncIterable<Uint8Array>, out: WriteStream): Promise<void> {
  for await (const chunk of chunks) await write(out, chunk);
  out.end();
  await once(out, 'close');
}
