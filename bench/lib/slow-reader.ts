/**
 * An unmodified slow MJPEG reader, as an OpenCV loop, an ML pipeline or an eye tracker reads
 * `/stream`: read one part, then "work" for 1/RATE s, then read the next — with no `?fps=`
 * (unless asked) and no idea of the server. Reads go through a 64 KB buffer into the reader's
 * own buffer, like any buffered HTTP client; it parses parts by Content-Length and notes, for
 * each part, when it read it and how old its frame was (by default from the frame's stamp, see
 * `stamped-frame.ts`). The tests use it too, with the part's `X-Timestamp`.
 */
import { connect, type Socket } from 'node:net';
import { readStamp, STAMP_BYTES } from './stamped-frame.js';

export interface ReadPart {
  /** `performance.now()` when the reader took the part, ms. */
  at: number;
  /** Seconds between the frame being handed to the server and this read. */
  age: number;
}

export interface SlowReaderOptions {
  /** Default `/stream`. */
  path?: string;
  /** How old the frame of a part is now, seconds, from its header block and JPEG (default: the stamp). */
  age?: (headers: string, jpeg: Buffer) => number | undefined;
}

/** The age of a benchmark frame, from its stamp. */
function stampAge(_headers: string, jpeg: Buffer): number | undefined {
  const stamp = jpeg.length >= STAMP_BYTES ? readStamp(jpeg) : undefined;
  return stamp ? Number(process.hrtime.bigint() - stamp.sentNs) / 1e9 : undefined;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /content-length:\s*(\d+)/i;

export class SlowReader {
  readonly rate: number;
  readonly parts: ReadPart[] = [];
  error: Error | undefined;
  readonly #socket: Socket;
  readonly #age: NonNullable<SlowReaderOptions['age']>;
  #pending: Buffer = Buffer.alloc(0);
  #headDone = false;
  #working = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(port: number, rate: number, options: SlowReaderOptions = {}) {
    this.rate = rate;
    this.#age = options.age ?? stampAge;
    const path = options.path ?? '/stream';
    this.#socket = connect({
      port,
      host: '127.0.0.1',
      onread: {
        buffer: Buffer.allocUnsafe(64 * 1024),
        callback: (n: number, buf: Uint8Array): boolean => {
          this.#onData(Buffer.from(buf.subarray(0, n)));
          return true;
        },
      },
    });
    this.#socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    this.#socket.on('error', (err) => {
      this.error = err;
    });
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    if (!this.#working && this.#takePart()) this.#work();
  }

  /** Work on the part just taken for 1/RATE s, then take the next one (from the buffer, or the socket). */
  #work(): void {
    this.#working = true;
    this.#socket.pause();
    this.#timer = setTimeout(() => {
      this.#working = false;
      if (this.#takePart()) this.#work();
      else this.#socket.resume();
    }, 1000 / this.rate);
  }

  /** Take one whole part from the buffer, if there is one. */
  #takePart(): boolean {
    if (!this.#headDone) {
      const end = this.#pending.indexOf(CRLF2);
      if (end < 0) return false;
      this.#headDone = true;
      this.#pending = this.#pending.subarray(end + 4);
    }
    for (;;) {
      const end = this.#pending.indexOf(CRLF2);
      if (end < 0) return false;
      const headers = this.#pending.subarray(0, end).toString('latin1');
      const length = CONTENT_LENGTH.exec(headers);
      if (!length) {
        this.#pending = this.#pending.subarray(end + 4); // the boundary line before a part's headers
        continue;
      }
      const size = Number(length[1]);
      if (this.#pending.length < end + 4 + size) return false;
      const body = this.#pending.subarray(end + 4, end + 4 + size);
      this.#pending = this.#pending.subarray(end + 4 + size);
      const age = this.#age(headers, body);
      if (age !== undefined) this.parts.push({ at: performance.now(), age });
      return true;
    }
  }
}
