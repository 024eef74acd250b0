/** The largest header block of one part (busboy's own limit is 80 KiB). */
const MAX_HEADER_BLOCK = 16 * 1024;

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** A header line: a token, a colon, then visible characters, spaces, tabs or obs-text only. */
const HEADER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*$/;
const DISPOSITION = /^content-disposition:[\t ]*form-data[\t ]*(;|$)/i;

/**
 * Checks the part headers of a `multipart/form-data` body as it streams past, before busboy
 * parses it. busboy skips, without a word, a part whose name holds a bare CR or LF, or that has
 * no `Content-Disposition`, and it passes NUL through; a CR/LF inside a quoted name cuts the
 * name short. This check makes each of those a 400 instead: every part must start with a
 * header block of well-formed lines (RFC 9110 §5.5: no NUL, CR or LF in a value) that names it
 * as `form-data`, within 16 KiB. The bodies of the parts are only searched for the delimiter.
 * Pure: no I/O; `write` and `end` return an error message, or `undefined` while all is well.
 */
export class PartHeaderCheck {
  readonly #delimiter: Buffer;
  #state: 'preamble' | 'delimiter' | 'headers' | 'body' | 'epilogue' = 'preamble';
  /** Bytes carried over to the next chunk (a possible partial delimiter, or a header block). */
  #carry: Buffer;

  constructor(boundary: string) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter may start the body: as if a CRLF came before it (RFC 2046 §5.1.1).
    this.#carry = CRLF;
  }

  /** Feeds the next chunk of the body. */
  write(chunk: Uint8Array): string | undefined {
    if (this.#state === 'epilogue') return undefined;
    let buf = this.#carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#carry, chunk]);
    for (;;) {
      if (this.#state === 'preamble' || this.#state === 'body') {
        const at = buf.indexOf(this.#delimiter);
        if (at === -1) {
          const keep = Math.min(buf.length, this.#delimiter.length - 1);
          this.#carry = Buffer.from(buf.subarray(buf.length - keep));
          return undefined;
        }
        buf = buf.subarray(at + this.#delimiter.length);
        this.#state = 'delimiter';
      }
      if (this.#state === 'delimiter') {
        // `--` closes the body; else CRLF, then the headers. (RFC 2046 allows spaces before the
        // CRLF, but busboy then drops the part without a word: refuse it instead.)
        if (buf.length < 2) return this.#wait(buf);
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          this.#state = 'epilogue';
          this.#carry = Buffer.alloc(0);
          return undefined;
        }
        if (buf[0] !== 0x0d || buf[1] !== 0x0a)
          return 'Malformed multipart body: bad delimiter line';
        buf = buf.subarray(2);
        this.#state = 'headers';
      }
      if (this.#state === 'headers') {
        const end = buf.indexOf(CRLFCRLF);
        const blank = buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a;
        if (blank) return 'Malformed multipart body: a part without headers';
        if (end === -1) {
          if (buf.length > MAX_HEADER_BLOCK)
            return 'Malformed multipart body: part headers too long';
          return this.#wait(buf);
        }
        const problem = checkHeaders(buf.subarray(0, end).toString('latin1'));
        if (problem !== undefined) return problem;
        // The part's body starts after the blank line; the CRLF before its delimiter is its own.
        buf = buf.subarray(end + 4);
        this.#state = 'body';
      }
    }
  }

  /** The body ended: it must have been closed by `--boundary--`. */
  end(): string | undefined {
    return this.#state === 'epilogue' ? undefined : 'Malformed multipart body: cut short';
  }

  #wait(buf: Buffer): undefined {
    this.#carry = Buffer.from(buf);
    return undefined;
  }
}

function checkHeaders(block: string): string | undefined {
  let disposition = false;
  for (const line of block.split('\r\n')) {
    if (!HEADER_LINE.test(line)) return 'Malformed multipart body: bad part header';
    if (DISPOSITION.test(line)) disposition = true;
  }
  return disposition ? undefined : 'Malformed multipart body: a part without form-data disposition';
}
