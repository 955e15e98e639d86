/**
 * Writes to a serial port without ever holding up its reads.
 *
 * `@serialport/bindings-cpp` reads and writes a Unix port through one libuv poll handle whose
 * event mask is replaced, not extended, by each request: a write that meets a full output buffer
 * (a device that stopped reading its input, ~18 kB in) polls for "writable" alone and the
 * pending read's "readable" is dropped. Intake stops until the device reads again, which it may
 * never do: frames freeze, and every write queues behind the stuck one without bound.
 *
 * So commands never go through the binding's write on Unix: they are written to the port's
 * (non-blocking) file descriptor directly, and a full buffer (`EAGAIN`) is retried on a short
 * timer, never by polling. Writes wait in a small queue (`maxQueuedBytes`, more is refused at
 * once) and each must be done within `timeoutMs` of being asked; when one is not, the device is
 * not draining its input: the output still pending is discarded (`tcflush(TCOFLUSH)`, or the
 * binding's `flush()` when libc is out of reach — that also drops unread input) and every
 * waiting write fails with `TIMEOUT`. Ports without a descriptor (the mock binding, Windows) use
 * the binding's write under the same queue and deadline.
 */
import { write as fsWrite } from 'node:fs';
import { libc, TCOFLUSH } from '../platform/libc.js';
import { SourceError } from './types.js';

export interface PortWriterOptions {
  /** Bytes that may wait to be written; more are refused (`FULL`). Default 4096. */
  maxQueuedBytes?: number;
  /** A write not done this long after it was asked means the device does not read: default 3000 ms. */
  timeoutMs?: number;
}

/** What the writer needs from an open port (a bindings-cpp port, or the mock binding's). */
export interface WritablePort {
  readonly isOpen: boolean;
  /** Unix bindings: the port's file descriptor, opened non-blocking. */
  readonly fd?: number | null;
  write(buffer: Buffer): Promise<void>;
  flush(): Promise<void>;
}

interface Job {
  readonly bytes: Buffer;
  written: number;
  readonly deadline: number;
  resolve(): void;
  reject(err: SourceError): void;
}

const RETRY_FIRST_MS = 2;
const RETRY_MAX_MS = 50;

export class PortWriter {
  readonly #path: string;
  readonly #maxQueued: number;
  readonly #timeoutMs: number;
  #port: WritablePort | undefined;
  readonly #queue: Job[] = [];
  /** Bytes asked for and not yet written. */
  #queued = 0;
  /** A write call is in progress (one at a time, in order). */
  #busy = false;
  #retryMs = RETRY_FIRST_MS;
  #timer: NodeJS.Timeout | undefined;
  #discarded = 0;

  constructor(path: string, options: PortWriterOptions = {}) {
    this.#path = path;
    this.#maxQueued = options.maxQueuedBytes ?? 4096;
    this.#timeoutMs = options.timeoutMs ?? 3000;
  }

  /** Bytes waiting to be written. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Bytes thrown away because the device did not read them in time, since the writer was made. */
  get discardedBytes(): number {
    return this.#discarded;
  }

  /** Write to this port from now on (it just opened). */
  attach(port: WritablePort): void {
    this.#port = port;
  }

  /** The port closed: every waiting write fails with `reason`. */
  detach(reason: string): void {
    this.#port = undefined;
    this.#failAll(new SourceError(reason, 'OFFLINE'));
  }

  /** Resolves once every byte was handed to the port; rejects with a `SourceError` (`OFFLINE`, `FULL`, `TIMEOUT`, `EIO`). */
  write(bytes: Uint8Array): Promise<void> {
    if (!this.#port?.isOpen)
      return Promise.reject(new SourceError(`port ${this.#path} is not open`, 'OFFLINE'));
    if (bytes.length === 0) return Promise.resolve();
    if (this.#queued + bytes.length > this.#maxQueued) {
      return Promise.reject(
        new SourceError(
          `${this.#queued} bytes are already waiting to be written to ${this.#path} (the device is not reading its input); refused ${bytes.length} more`,
          'FULL',
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      // A copy: the caller may reuse its buffer, and the job may outlive the call.
      const job: Job = {
        bytes: Buffer.from(bytes),
        written: 0,
        deadline: performance.now() + this.#timeoutMs,
        resolve,
        reject,
      };
      this.#queue.push(job);
      this.#queued += bytes.length;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#busy || this.#timer) return;
    const job = this.#queue[0];
    const port = this.#port;
    if (!job || !port) return;
    if (performance.now() >= job.deadline) {
      this.#giveUp(port);
      return;
    }
    this.#busy = true;
    const fd = port.fd;
    if (typeof fd === 'number' && fd >= 0) this.#writeFd(port, fd, job);
    else this.#writeBinding(port, job);
  }

  #writeFd(port: WritablePort, fd: number, job: Job): void {
    fsWrite(fd, job.bytes, job.written, job.bytes.length - job.written, null, (err, n) => {
      this.#busy = false;
      if (this.#port !== port || this.#queue[0] !== job) {
        this.#pump(); // it was failed meanwhile: go on with what was asked since
        return;
      }
      if (err) {
        if (err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK' || err.code === 'EINTR') {
          this.#retryLater(job);
          return;
        }
        this.#failAll(new SourceError(`cannot write to ${this.#path}: ${err.message}`, 'EIO'));
        return;
      }
      job.written += n;
      this.#queued -= n;
      this.#retryMs = RETRY_FIRST_MS;
      if (job.written === job.bytes.length) this.#done(job);
      else this.#retryLater(job);
    });
  }

  #writeBinding(port: WritablePort, job: Job): void {
    const wait = setTimeout(() => {
      if (this.#port === port && this.#queue[0] === job) this.#giveUp(port);
    }, job.deadline - performance.now());
    port.write(job.bytes).then(
      () => {
        clearTimeout(wait);
        this.#busy = false;
        if (this.#port !== port || this.#queue[0] !== job) {
          this.#pump();
          return;
        }
        this.#queued -= job.bytes.length;
        this.#done(job);
      },
      (err: unknown) => {
        clearTimeout(wait);
        this.#busy = false;
        if (this.#port !== port || this.#queue[0] !== job) {
          this.#pump();
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        this.#failAll(new SourceError(`cannot write to ${this.#path}: ${message}`, 'EIO'));
      },
    );
  }

  #done(job: Job): void {
    this.#queue.shift();
    job.resolve();
    this.#pump();
  }

  /** The output buffer is full: try again soon (backing off), never past the job's deadline. */
  #retryLater(job: Job): void {
    const wait = Math.max(0, Math.min(this.#retryMs, job.deadline - performance.now()));
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, wait);
  }

  /** The device did not take the head write in time: discard what is pending, fail every waiting write. */
  #giveUp(port: WritablePort): void {
    const pending = this.#queued;
    this.#discarded += pending;
    const c = libc();
    const fd = port.fd;
    let flushed = false;
    if (c && typeof fd === 'number' && fd >= 0) flushed = c.tcflush(fd, TCOFLUSH) === 0;
    if (!flushed) port.flush().catch(() => {});
    // A binding write that never returns is left behind: the next write does not wait for it.
    this.#busy = false;
    const seconds = Number((this.#timeoutMs / 1000).toFixed(3));
    this.#failAll(
      new SourceError(
        `${this.#path}: the device did not read its input for ${seconds} s; ${pending} bytes waiting to be written discarded`,
        'TIMEOUT',
      ),
    );
  }

  #failAll(err: SourceError): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#retryMs = RETRY_FIRST_MS;
    const jobs = this.#queue.splice(0);
    this.#queued = 0;
    for (const job of jobs) job.reject(err);
  }
}
