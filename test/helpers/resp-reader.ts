// The commands a Redis client writes, read back from the bytes on its socket (RESP: an array of
// bulk strings per command), so that a test can see what went out in each write.

/** Reads commands from the chunks of one client's byte stream, see {@link RespReader.read}. */
export class RespReader {
  #pending: Buffer = Buffer.alloc(0);

  /** The commands (`[name, ...args]`) that `chunk` completes; a partial one waits for the next. */
  read(chunk: Buffer): string[][] {
    const buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const commands: string[][] = [];
    let pos = 0;
    while (pos < buf.length) {
      const command = readCommand(buf, pos);
      if (command === undefined) break;
      commands.push(command.args);
      pos = command.end;
    }
    this.#pending = buf.subarray(pos);
    return commands;
  }
}

/** The command at `start` (`*<n>\r\n` then n × `$<len>\r\n<bytes>\r\n`), or undefined if cut short. */
function readCommand(buf: Buffer, start: number): { args: string[]; end: number } | undefined {
  let eol = buf.indexOf('\r\n', start);
  if (eol < 0) return undefined;
  const count = Number(buf.toString('latin1', start + 1, eol));
  let pos = eol + 2;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return undefined;
    const length = Number(buf.toString('latin1', pos + 1, eol));
    if (eol + 2 + length + 2 > buf.length) return undefined;
    args.push(buf.toString('utf8', eol + 2, eol + 2 + length));
    pos = eol + 2 + length + 2;
  }
  return { args, end: pos };
}
