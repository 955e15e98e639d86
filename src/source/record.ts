/**
 * `--record FILE`: append every byte read from the device to a file, for bug reports and `--replay`.
 * The file is opened before the port, so a path that cannot be written fails the start with one
 * line; a write that fails later (disk full, file system gone) is reported at once and stops the
 * recording. A disk slower than the device cannot make it buffer without bound either: more than
 * `maxBehindBytes` waiting for the disk stops the recording the same way.
 */

import type { WriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { SourceError } from './types.js';

/** Bytes that may wait for the disk before the recording is given up. */
const MAX_BEHIND_BYTES = 16 * 1024 * 1024;

/** Why `path` cannot be opened for recording, in words a user can act on. */
function describeOpenError(path: string, err: unknown): SourceError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EROFS'
            ? 'read-only file system'
            : (err as Error).message;
  return new SourceError(`cannot record to ${path}: ${why}`, 'EIO');
}

export class Recorder {
  readonly path: string;
  readonly #stream: WriteStream;
  readonly #onError: (message: string) => void;
  readonly #maxBehind: number;
  #bytes = 0;
  #closed: Promise<void> | undefined;
  #error: string | undefined;

  private constructor(path: string, file: FileHandle, onError: (message: string) => void, maxBehind: number) {
    this.path = path;
    this.#onError = onError;
    this.#maxBehind = maxBehind;
    this.#stream = file.createWriteStream();
    this.#stream.on('error', (err) => this.#fail(err.message));
  }

  /**
   * Opens (creates or appends to) `path`; rejects with a one-line `SourceError` when it cannot.
   * `onError` hears, once, why the recording stopped later.
   */
  static async open(
    path: string,
    onError: (message: string) => void,
    maxBehindBytes = MAX_BEHIND_BYTES,
  ): Promise<Recorder> {
    const file = await open(path, 'a').catch((err: unknown) => {
      throw describeOpenError(path, err);
    });
    return new Recorder(path, file, onError, maxBehindBytes);
  }

  /** Bytes handed to the file so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Why the recording stopped, if it did (one line), else undefined. */
  get error(): string | undefined {
    return this.#error;
  }

  write(chunk: Buffer): void {
    if (this.#closed || this.#error) return;
    if (this.#stream.writableLength + chunk.length > this.#maxBehind) {
      this.#fail(`the disk fell ${this.#stream.writableLength} bytes behind the device`);
      return;
    }
    this.#bytes += chunk.length;
    this.#stream.write(chunk);
  }

  /** Flush everything written and close the file. Idempotent; never rejects (failures were reported). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (!this.#stream.destroyed) this.#stream.end();
      await finished(this.#stream).catch(() => {});
    })();
    return this.#closed;
  }

  #fail(reason: string): void {
    if (this.#error) return;
    this.#error = `cannot write recording ${this.path}: ${reason.replace(/^Error:\s*/, '')}; recording stopped after ${this.#bytes} bytes`;
    this.#stream.destroy();
    this.#onError(this.#error);
  }
}
