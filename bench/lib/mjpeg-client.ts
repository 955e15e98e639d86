/**
 * A lean MJPEG client for benchmarks over a raw TCP socket: HTTP/1.1 response
 * head, chunked transfer decoding, multipart parts by Content-Length. It never
 * copies frame bodies; it reads each part's stamp (first bytes) and notes when
 * the part's last byte was read. Works for any boundary name.
 */
import { connect, type Socket } from 'node:net';
import { readStamp, STAMP_BYTES, type Stamp } from './stamped-frame.js';

export interface ReceivedFrame {
  stamp: Stamp | undefined;
  bytes: number;
  /** `process.hrtime.bigint()` when the read holding the part's last byte arrived. */
  receivedNs: bigint;
}

export interface MjpegClientOptions {
  port: number;
  host?: string;
  path?: string;
  /** Connect and send the request but never read (a stalled viewer). */
  stalled?: boolean;
  onFrame?: (frame: ReceivedFrame) => void;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const READ_BUFFER_BYTES = 64 * 1024;

type Transfer = 'head' | 'identity' | 'chunk-size' | 'chunk-data' | 'chunk-crlf';
type Part = 'headers' | 'body';

export class MjpegClient {
  readonly socket: Socket;
  frames = 0;
  bytes = 0;
  status = 0;
  error: Error | undefined;
  closed = false;
  #transfer: Transfer = 'head';
  #pending: Buffer = Buffer.alloc(0);
  #chunkLeft = 0;
  #part: Part = 'headers';
  #partHead: Buffer = Buffer.alloc(0);
  #bodyLeft = 0;
  #bodyLength = 0;
  #stamp: Buffer = Buffer.alloc(STAMP_BYTES);
  #stampFill = 0;
  #now = 0n;
  readonly #onFrame: ((frame: ReceivedFrame) => void) | undefined;

  constructor(options: MjpegClientOptions) {
    this.#onFrame = options.onFrame;
    const host = options.host ?? '127.0.0.1';
    // Fast clients read into one reused buffer (`onread`): no Buffer and no stream 'data' event per read, so
    // reading 50 sockets in one process adds as little as possible to the latency measured through it.
    this.socket = connect({
      port: options.port,
      host,
      noDelay: true,
      ...(options.stalled
        ? {}
        : {
            onread: {
              buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
              callback: (bytes: number, buf: Uint8Array): boolean => {
                this.#onData(Buffer.from(buf.buffer, buf.byteOffset, bytes));
                return true;
              },
            },
          }),
    });
    this.socket.write(
      `GET ${options.path ?? '/stream'} HTTP/1.1\r\nHost: ${host}:${options.port}\r\nAccept: */*\r\n\r\n`,
    );
    this.socket.on('error', (err) => {
      this.error = err;
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
    if (options.stalled) this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }

  #fail(message: string): void {
    this.error = new Error(message);
    this.socket.destroy();
  }

  /** `chunk` is only valid during the call (the read buffer is reused): keep copies, never the chunk. */
  #onData(chunk: Buffer): void {
    this.#now = process.hrtime.bigint();
    let buf = chunk;
    while (buf.length > 0 && !this.error) {
      switch (this.#transfer) {
        case 'head': {
          const all = this.#pending.length ? Buffer.concat([this.#pending, buf]) : buf;
          const end = all.indexOf(CRLF2);
          if (end < 0) {
            this.#pending = Buffer.from(all); // the read buffer is reused
            return;
          }
          const head = all.subarray(0, end).toString('latin1');
          this.#pending = Buffer.alloc(0);
          this.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
          if (this.status !== 200) {
            this.#fail(`HTTP ${this.status}`);
            return;
          }
          this.#transfer = /\r\ntransfer-encoding:\s*chunked/i.test(head) ? 'chunk-size' : 'identity';
          buf = all.subarray(end + 4);
          break;
        }
        case 'identity':
          this.#body(buf);
          return;
        case 'chunk-size': {
          const all = this.#pending.length ? Buffer.concat([this.#pending, buf]) : buf;
          const end = all.indexOf(CRLF);
          if (end < 0) {
            this.#pending = Buffer.from(all); // the read buffer is reused
            return;
          }
          this.#chunkLeft = Number.parseInt(all.subarray(0, end).toString('latin1'), 16);
          this.#pending = Buffer.alloc(0);
          if (!Number.isFinite(this.#chunkLeft)) {
            this.#fail('bad chunk size');
            return;
          }
          this.#transfer = this.#chunkLeft === 0 ? 'chunk-crlf' : 'chunk-data';
          buf = all.subarray(end + 2);
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.#chunkLeft, buf.length);
          this.#body(buf.subarray(0, n));
          this.#chunkLeft -= n;
          buf = buf.subarray(n);
          if (this.#chunkLeft === 0) this.#transfer = 'chunk-crlf';
          break;
        }
        case 'chunk-crlf': {
          // The CRLF after a chunk's data (may arrive split).
          const all = this.#pending.length ? Buffer.concat([this.#pending, buf]) : buf;
          if (all.length < 2) {
            this.#pending = Buffer.from(all); // the read buffer is reused
            return;
          }
          this.#pending = Buffer.alloc(0);
          buf = all.subarray(2);
          this.#transfer = 'chunk-size';
          break;
        }
      }
    }
  }

  /** Multipart body bytes, in order. */
  #body(data: Buffer): void {
    let buf = data;
    this.bytes += buf.length;
    while (buf.length > 0) {
      if (this.#part === 'headers') {
        const all = this.#partHead.length ? Buffer.concat([this.#partHead, buf]) : buf;
        const end = all.indexOf(CRLF2);
        if (end < 0) {
          if (all.length > 4096) {
            this.#fail('part headers longer than 4 KiB');
            return;
          }
          this.#partHead = Buffer.from(all);
          return;
        }
        const head = all.subarray(0, end).toString('latin1');
        const m = /content-length:\s*(\d+)/i.exec(head);
        if (!m) {
          this.#fail(`part without Content-Length: ${JSON.stringify(head)}`);
          return;
        }
        this.#bodyLength = this.#bodyLeft = Number(m[1]);
        this.#stampFill = 0;
        this.#partHead = Buffer.alloc(0);
        this.#part = 'body';
        buf = all.subarray(end + 4);
      } else {
        const n = Math.min(this.#bodyLeft, buf.length);
        if (this.#stampFill < STAMP_BYTES) {
          const take = Math.min(STAMP_BYTES - this.#stampFill, n);
          buf.copy(this.#stamp, this.#stampFill, 0, take);
          this.#stampFill += take;
        }
        this.#bodyLeft -= n;
        buf = buf.subarray(n);
        if (this.#bodyLeft === 0) {
          this.frames++;
          this.#part = 'headers';
          this.#onFrame?.({
            stamp: this.#stampFill === STAMP_BYTES ? readStamp(this.#stamp) : undefined,
            bytes: this.#bodyLength,
            receivedNs: this.#now,
          });
        }
      }
    }
  }
}
