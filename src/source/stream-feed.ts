/**
 * The bytes of a replay that is not a regular file (a FIFO, `/dev/zero`, another character
 * device), read as a stream instead of loaded whole, with bounded read-ahead: reading pauses while
 * `maxAhead` bytes wait to be played.
 *
 * A FIFO is opened read-write and non-blocking and read through a pipe handle: opening it never
 * waits for a writer (so the gateway's start does not hang), it is read as it is written, and a
 * writer closing it is not the end (the next writer's bytes follow), as a device that went quiet.
 */
import { constants, createReadStream, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface StreamFeedEvents {
  /** The stream ended (a character device with an end); nothing more comes. */
  end(): void;
  /** Reading failed; nothing more comes. */
  error(err: Error): void;
}

export class StreamFeed {
  readonly #maxAhead: number;
  readonly #events: StreamFeedEvents;
  readonly #chunks: Buffer[] = [];
  readonly #stream: Readable;
  #ahead = 0;
  #closed = false;

  /** Opens `file` (`fifo`: a named pipe) at once; throws what opening it threw. */
  constructor(file: string, fifo: boolean, events: StreamFeedEvents, maxAhead = 256 * 1024) {
    this.#events = events;
    this.#maxAhead = maxAhead;
    this.#stream = fifo
      ? new Socket({
          fd: openSync(file, constants.O_RDWR | constants.O_NONBLOCK),
          readable: true,
          writable: false,
        })
      : createReadStream(file, { highWaterMark: 64 * 1024 });
    this.#stream.on('data', (chunk: Buffer | string) => {
      if (this.#closed || typeof chunk === 'string') return;
      this.#chunks.push(chunk);
      this.#ahead += chunk.length;
      if (this.#ahead >= this.#maxAhead) this.#stream.pause();
    });
    this.#stream.on('end', () => {
      if (!this.#closed) this.#events.end();
    });
    this.#stream.on('error', (err) => {
      if (!this.#closed) this.#events.error(err);
    });
  }

  /** Bytes read and not taken yet (at most `maxAhead` plus one read). */
  get available(): number {
    return this.#ahead;
  }

  /** Up to `n` bytes, in the order read (fewer, or none, when not that many arrived yet). */
  take(n: number): Buffer[] {
    const out: Buffer[] = [];
    while (n > 0 && this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      if (head.length <= n) {
        this.#chunks.shift();
        out.push(head);
        n -= head.length;
        this.#ahead -= head.length;
      } else {
        out.push(head.subarray(0, n));
        this.#chunks[0] = head.subarray(n);
        this.#ahead -= n;
        n = 0;
      }
    }
    if (this.#ahead < this.#maxAhead / 2 && this.#stream.isPaused()) this.#stream.resume();
    return out;
  }

  /** Stop reading for good (closes the file). */
  close(): void {
    this.#closed = true;
    this.#stream.destroy();
    this.#chunks.length = 0;
    this.#ahead = 0;
  }
}
