/** `--record FILE`: append every byte read from the device to a file, for bug reports and `--replay`. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export class Recorder {
  readonly path: string;
  readonly #stream: WriteStream;
  #bytes = 0;
  #closed: Promise<void> | undefined;
  #error: Error | undefined;

  /** Opens (creates or appends to) `path`. Write errors are kept and reported by `close()`. */
  constructor(path: string) {
    this.path = path;
    this.#stream = createWriteStream(path, { flags: 'a' });
    this.#stream.on('error', (err) => {
      this.#error ??= err;
    });
  }

  /** Bytes handed to the file so far. */
  get bytes(): number {
    return this.#bytes;
  }

  write(chunk: Buffer): void {
    if (this.#closed || this.#error) return;
    this.#bytes += chunk.length;
    this.#stream.write(chunk);
  }

  /** Flush everything written and close the file. Idempotent. Rejects with the first write error, if any. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#stream.end();
      await finished(this.#stream).catch(() => {});
      if (this.#error) throw new Error(`cannot write recording ${this.path}: ${this.#error.message}`);
    })();
    return this.#closed;
  }
}
