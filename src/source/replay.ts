/**
 * A recorded device byte stream played back as if a port delivered it: paced
 * at the baud rate (8N1: baud / 10 bytes per second), in small timed chunks,
 * looping at the end. `--demo` is a replay of the bundled `demo.camf`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { type ByteSource, SourceError, type SourceSink } from './types.js';

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
    return null;
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
    try {
      this.#data = await readFile(this.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new SourceError(`no such replay file ${this.file}`, 'ENOENT');
      throw new SourceError(`cannot read replay file ${this.file}: ${(err as Error).message}`, 'EIO');
    }
    if (this.#data.length === 0) throw new SourceError(`replay file ${this.file} is empty`, 'EIO');
    this.#sink = sink;
    this.#online = true;
    this.#startedAt = performance.now();
    this.#sent = 0;
    this.#offset = 0;
    sink.online();
    this.#paused = false;
    this.#log.debug(`replaying ${this.file} (${this.#data.length} bytes) at ${this.bytesPerSecond} bytes/s`);
    this.#tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const sink = this.#sink;
    this.#sink = undefined;
    if (this.#online) {
      this.#online = false;
      sink?.offline(null);
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
    if (!data || !sink || this.#paused) return;
    const elapsed = (performance.now() - this.#startedAt) / 1000;
    // What is due by now; after a stalled event loop, catch up at most one second.
    let due = Math.floor(elapsed * this.bytesPerSecond) - this.#sent;
    if (due > this.bytesPerSecond) {
      this.#sent += due - Math.floor(this.bytesPerSecond);
      due = Math.floor(this.bytesPerSecond);
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
}
