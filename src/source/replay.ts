/**
 * A recorded device byte stream played back as if a port delivered it: paced
 * at the baud rate (8N1: baud / 10 bytes per second), in small timed chunks,
 * looping at the end. `--demo` is a replay of the bundled `demo.camf`. A file that
 * is not a regular file (a FIFO, `/dev/zero`) is read as a stream (`stream-feed.ts`),
 * never loaded whole: a FIFO is played as it is written, and does not loop.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { StreamFeed } from './stream-feed.js';
import { type ByteSource, SourceError, type SourceSink } from './types.js';

/** A replay file's open/read error as one line. */
function describeReadError(file: string, err: unknown): SourceError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SourceError(`no such replay file ${file}`, 'ENOENT');
  if (code === 'EACCES' || code === 'EPERM')
    return new SourceError(`permission denied reading replay file ${file}`, 'EACCES');
  return new SourceError(`cannot read replay file ${file}: ${(err as Error).message}`, 'EIO');
}

/** The bundled demo recording, resolved from this module so it works from any cwd. */
export const DEMO_FILE = fileURLToPath(new URL('../../fixtures/streams/demo.camf', import.meta.url));

export interface ReplaySourceOptions {
  /** The recording to play. */
  file: string;
  /** Pace in baud (bytes/s = baud / 10). */
  baudRate: number;
  /** Start again at the end. Default true. */
  loop?: boolean;
  /** `/status` label. Default `replay:<file>`. */
  label?: string;
  /** Timer period between chunks, ms. Default 10. */
  tickMs?: number;
  logger?: Logger;
}

export class ReplaySource implements ByteSource {
  readonly label: string;
  readonly file: string;
  readonly bytesPerSecond: number;
  readonly #loop: boolean;
  readonly #tickMs: number;
  readonly #log: Logger;
  #data: Buffer | undefined;
  /** Set instead of `#data` when the file is not a regular file: its bytes as they are read. */
  #feed: StreamFeed | undefined;
  /** The stream ended: go offline once what was read has been played. */
  #feedEnded = false;
  #lastError: string | null = null;
  #sink: SourceSink | undefined;
  #timer: NodeJS.Timeout | undefined;
  #online = false;
  #offset = 0;
  #sent = 0;
  #startedAt = 0;
  #loops = 0;
  #paused = false;

  constructor(options: ReplaySourceOptions) {
    this.file = options.file;
    this.label = options.label ?? `replay:${options.file}`;
    const baud = options.baudRate;
    if (!(baud > 0)) throw new TypeError(`"baudRate" must be greater than 0, got ${baud}`);
    this.bytesPerSecond = baud / 10;
    this.#loop = options.loop ?? true;
    this.#tickMs = options.tickMs ?? 10;
    this.#log = options.logger ?? silentLogger;
  }

  get online(): boolean {
    return this.#online;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /** Playback is held (`stream=0`): no bytes are delivered until `resume()`. */
  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#sink) return;
    // Pace from now on: the paused time is not owed.
    this.#startedAt = performance.now() - (this.#sent / this.bytesPerSecond) * 1000;
    this.#tick();
  }

  /** Times playback wrapped around to the start. */
  get loops(): number {
    return this.#loops;
  }

  async start(sink: SourceSink): Promise<void> {
    if (this.#sink) throw new Error(`replay of ${this.file} already started`);
    const kind = await stat(this.file).catch((err: unknown) => {
      throw describeReadError(this.file, err);
    });
    if (kind.isDirectory()) throw new SourceError(`replay file ${this.file} is a directory`, 'EIO');
    if (kind.isFile()) {
      this.#data = await readFile(this.file).catch((err: unknown) => {
        throw describeReadError(this.file, err);
      });
      if (this.#data.length === 0) throw new SourceError(`replay file ${this.file} is empty`, 'EIO');
    } else {
      await access(this.file, constants.R_OK).catch((err: unknown) => {
        throw describeReadError(this.file, err);
      });
      this.#feedEnded = false;
      this.#lastError = null;
      try {
        // Read ahead a few ticks' worth at the pace (at least 256 KiB, at most 16 MiB).
        const ahead = Math.min(
          16 << 20,
          Math.max(256 << 10, Math.ceil((this.bytesPerSecond * this.#tickMs) / 250)),
        );
        this.#feed = new StreamFeed(
          this.file,
          kind.isFIFO(),
          {
            end: () => {
              this.#feedEnded = true;
            },
            error: (err) => this.#finish(`cannot read replay file ${this.file}: ${err.message}`),
          },
          ahead,
        );
      } catch (err) {
        throw describeReadError(this.file, err);
      }
    }
    this.#sink = sink;
    this.#online = true;
    this.#startedAt = performance.now();
    this.#sent = 0;
    this.#offset = 0;
    sink.online();
    this.#paused = false;
    const size = this.#data ? `${this.#data.length} bytes` : 'read as a stream';
    this.#log.debug(`replaying ${this.file} (${size}) at ${this.bytesPerSecond} bytes/s`);
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#finish(null);
  }

  /** Stop playing; `reason` (a read error) goes to the camera and `lastError`, null on a clean stop. */
  #finish(reason: string | null): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#feed?.close();
    this.#feed = undefined;
    if (reason) {
      this.#lastError = reason;
      this.#log.warn(reason);
    }
    const sink = this.#sink;
    this.#sink = undefined;
    if (this.#online) {
      this.#online = false;
      sink?.offline(reason);
    }
  }

  write(_bytes: Uint8Array): Promise<void> {
    return Promise.reject(
      new SourceError(`${this.label} is a recording: it cannot take commands`, 'READONLY'),
    );
  }

  #tick(): void {
    const data = this.#data;
    const sink = this.#sink;
    if (!sink || this.#paused || !(data || this.#feed)) return;
    const elapsed = (performance.now() - this.#startedAt) / 1000;
    // What is due by now; after a stalled event loop, catch up at most one second.
    let due = Math.floor(elapsed * this.bytesPerSecond) - this.#sent;
    if (due > this.bytesPerSecond) {
      this.#sent += due - Math.floor(this.bytesPerSecond);
      due = Math.floor(this.bytesPerSecond);
    }
    if (!data) {
      this.#playFeed(sink, due);
      return;
    }
    while (due > 0 && this.#sink) {
      const n = Math.min(due, data.length - this.#offset);
      sink.data(data.subarray(this.#offset, this.#offset + n));
      this.#offset += n;
      this.#sent += n;
      due -= n;
      if (this.#offset >= data.length) {
        if (!this.#loop) {
          this.#log.debug(`replay of ${this.file} finished`);
          void this.stop();
          return;
        }
        this.#offset = 0;
        this.#loops++;
        sink.rewind?.();
      }
    }
    if (this.#sink) this.#timer = setTimeout(() => this.#tick(), this.#tickMs);
  }

  /** Play up to `due` bytes of what the stream has read so far; stop once it ended and all was played. */
  #playFeed(sink: SourceSink, due: number): void {
    const feed = this.#feed!;
    for (const chunk of feed.take(due)) {
      sink.data(chunk);
      this.#sent += chunk.length;
      if (!this.#sink) return;
    }
    if (this.#feedEnded && feed.available === 0) {
      this.#log.debug(`replay of ${this.file} finished (the stream ended)`);
      this.#finish(null);
      return;
    }
    this.#timer = setTimeout(() => this.#tick(), this.#tickMs);
  }
}
