/**
 * A real serial port as a byte source: opens it exclusively, sets DTR/RTS so an
 * ESP32 auto-reset circuit does not hold the chip in reset, optionally pulses
 * RTS (esptool's hard reset), records every byte, and reopens it after an
 * unplug / USB reset / CDC re-enumeration with a backoff capped at 1 s. Writes go through a
 * `PortWriter` (bounded, with a deadline, never through the binding's poller), so a device
 * that stops reading its input can never stop the port being read.
 */
import { existsSync, statSync } from 'node:fs';
import { autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { describePortHolder } from './discover.js';
import { PortWriter, type WritablePort } from './port-writer.js';
import { Recorder } from './record.js';
import { type ByteSource, type SerialBinding, SourceError, type SourceSink } from './types.js';

export interface SerialSourceOptions {
  /** Device path, e.g. `/dev/ttyUSB0`. */
  path: string;
  /** UART speed (USB-CDC devices ignore it); the gateway's default is in `options.ts`. */
  baudRate: number;
  /** DTR level after opening. Default false: never hold an ESP32 in reset or bootloader. */
  dtr?: boolean;
  /** RTS level after opening. Default false. */
  rts?: boolean;
  /** Pulse RTS (high ~100 ms, then low) after the first open, to restart the camera. Default false. */
  reset?: boolean;
  /** How long the RTS reset pulse lasts, ms. Default 100. */
  resetPulseMs?: number;
  /** Append every byte read to this file. */
  record?: string;
  /** Serialport binding. Default: `autoDetect()` from `@serialport/bindings-cpp`; tests pass `MockBinding`. */
  binding?: SerialBinding;
  /**
   * Whether the device path exists now (polled cheaply while it is gone).
   * Default: `fs.existsSync` for the real binding, always true for an injected one and on Windows.
   */
  exists?: (path: string) => boolean;
  /** First reopen delay, ms; doubles per failure. Default 100. */
  retryMinMs?: number;
  /** Reopen delay cap, ms. Default 1000. */
  retryMaxMs?: number;
  /** Bytes that may wait to be written to the device; more are refused. Default 4096. */
  maxQueuedWriteBytes?: number;
  /** A write not done this long after it was asked: the device does not read; pending output is discarded. Default 3000 ms. */
  writeTimeoutMs?: number;
  /** How often to look for a vanished device path, ms. Default 50. */
  pollMs?: number;
  /**
   * While open, how often to check that the path still names the device we opened, ms
   * (a hang-up is not always reported by a pending read). Default 250 for the real binding, 0 (off) for an
   * injected one and on Windows.
   */
  watchMs?: number;
  logger?: Logger;
}

type OpenStream = SerialPortStream<SerialBinding>;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SerialSource implements ByteSource {
  readonly label: string;
  readonly path: string;
  readonly baudRate: number;
  readonly #options: SerialSourceOptions;
  readonly #binding: SerialBinding;
  readonly #exists: (path: string) => boolean;
  readonly #log: Logger;
  #stream: OpenStream | undefined;
  #sink: SourceSink | undefined;
  #recorder: Recorder | undefined;
  #online = false;
  #stopping = false;
  #lastError: string | null = null;
  /** Why the recording stopped (shown while the port is healthy). */
  #recordError: string | null = null;
  #retryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #reopens = 0;
  #watch: NodeJS.Timeout | undefined;
  readonly #fsPaths: boolean;
  readonly #writer: PortWriter;

  constructor(options: SerialSourceOptions) {
    this.#options = options;
    this.path = options.path;
    this.label = options.path;
    this.baudRate = options.baudRate;
    this.#binding = options.binding ?? autoDetect();
    // COM ports are not files: only poll device paths where they are (Linux, macOS).
    this.#fsPaths = !options.binding && process.platform !== 'win32';
    this.#exists = options.exists ?? (this.#fsPaths ? existsSync : () => true);
    this.#log = options.logger ?? silentLogger;
    this.#retryMs = options.retryMinMs ?? 100;
    this.#writer = new PortWriter(options.path, {
      ...(options.maxQueuedWriteBytes !== undefined ? { maxQueuedBytes: options.maxQueuedWriteBytes } : {}),
      ...(options.writeTimeoutMs !== undefined ? { timeoutMs: options.writeTimeoutMs } : {}),
    });
  }

  get online(): boolean {
    return this.#online;
  }

  get lastError(): string | null {
    return this.#lastError ?? this.#recordError;
  }

  /** Times the port was reopened after going away. */
  get reopens(): number {
    return this.#reopens;
  }

  /** Bytes waiting to be written to the device. */
  get queuedWriteBytes(): number {
    return this.#writer.queuedBytes;
  }

  /** Bytes discarded because the device did not read them in time. */
  get discardedWriteBytes(): number {
    return this.#writer.discardedBytes;
  }

  /** The open serialport stream (tests reach the mock binding through `.port`). */
  get stream(): OpenStream | undefined {
    return this.#stream;
  }

  async start(sink: SourceSink): Promise<void> {
    if (this.#sink) throw new Error(`serial source ${this.path} already started`);
    this.#sink = sink;
    this.#stopping = false;
    this.#recordError = null;
    try {
      // The recording first: a file that cannot be written must not cost a device reset.
      const record = this.#options.record;
      if (record) {
        this.#recorder = await Recorder.open(record, (message) => {
          this.#recordError = message;
          this.#log.error(message);
        });
      }
      await this.#open(true);
    } catch (err) {
      this.#sink = undefined;
      await this.#recorder?.close();
      this.#recorder = undefined;
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearInterval(this.#watch);
    this.#watch = undefined;
    const stream = this.#stream;
    this.#stream = undefined;
    this.#writer.detach(`port ${this.path} closed`);
    if (stream?.isOpen) {
      await new Promise<void>((resolve) => stream.close(() => resolve()));
    }
    if (this.#online) {
      this.#online = false;
      this.#sink?.offline(null);
    }
    this.#sink = undefined;
    const recorder = this.#recorder;
    this.#recorder = undefined;
    await recorder?.close();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#online || !this.#stream) {
      return Promise.reject(new SourceError(`port ${this.path} is not open`, 'OFFLINE'));
    }
    return this.#writer.write(bytes);
  }

  async #open(first: boolean): Promise<void> {
    const stream: OpenStream = new SerialPortStream({
      binding: this.#binding,
      path: this.path,
      baudRate: this.baudRate,
      lock: true,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => {
      stream.open((err) => (err ? reject(err) : resolve()));
    }).catch((err: unknown) => {
      throw describeOpenError(this.path, err);
    });
    if (this.#stopping) {
      stream.close();
      return;
    }
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => {
      if (this.#stream !== stream) return;
      this.#recorder?.write(chunk);
      this.#sink?.data(chunk);
    });
    stream.on('error', (err: Error) => this.#lost(stream, err.message));
    stream.on('close', (err?: Error | null) => this.#lost(stream, err?.message ?? 'port closed'));
    await this.#setLines(stream, this.#options.dtr ?? false, this.#options.rts ?? false);
    if (first && this.#options.reset) {
      this.#log.info(`pulsing RTS to reset the device on ${this.path}`);
      await this.#setLines(stream, this.#options.dtr ?? false, true);
      await delay(this.#options.resetPulseMs ?? 100);
      await this.#setLines(stream, this.#options.dtr ?? false, false);
    }
    this.#watchDevice(stream);
    this.#writer.attach(stream.port as unknown as WritablePort);
    this.#lastError = null;
    this.#retryMs = this.#options.retryMinMs ?? 100;
    this.#online = true;
    this.#log.debug(`opened ${this.path} at ${this.baudRate} baud`);
    this.#sink?.online();
  }

  /** Set DTR and RTS; ptys and some adapters cannot, which must not stop the stream. */
  async #setLines(stream: OpenStream, dtr: boolean, rts: boolean): Promise<void> {
    await new Promise<void>((resolve) => {
      stream.set({ dtr, rts }, (err) => {
        if (err) {
          const asked = dtr || rts || this.#options.reset;
          const line = `cannot set DTR/RTS on ${this.path} (${err.message}); a pty or CDC port has no such lines`;
          if (asked) this.#log.warn(line);
          else this.#log.debug(line);
        }
        resolve();
      });
    });
  }

  /** Notice a device node that vanished or was replaced even when no read reports the hang-up. */
  #watchDevice(stream: OpenStream): void {
    clearInterval(this.#watch);
    const every = this.#options.watchMs ?? (this.#fsPaths ? 250 : 0);
    if (every <= 0) return;
    const rdevOf = (): number | undefined => {
      try {
        return statSync(this.path).rdev;
      } catch {
        return undefined;
      }
    };
    const opened = rdevOf();
    this.#watch = setInterval(() => {
      const now = rdevOf();
      if (now !== opened) this.#lost(stream, now === undefined ? 'device vanished' : 'device replaced');
    }, every);
    this.#watch.unref();
  }

  #lost(stream: OpenStream, reason: string): void {
    if (this.#stream !== stream || this.#stopping) return;
    clearInterval(this.#watch);
    this.#watch = undefined;
    this.#stream = undefined;
    this.#writer.detach(`port ${this.path} went away (${reason})`);
    if (stream.isOpen) stream.close();
    this.#lastError = `port ${this.path} went away (${reason}); reopening`;
    this.#log.warn(this.#lastError);
    if (this.#online) {
      this.#online = false;
      this.#sink?.offline(this.#lastError);
    }
    this.#scheduleReopen(this.#retryMs);
  }

  #scheduleReopen(ms: number): void {
    if (this.#stopping) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#reopen(), ms);
  }

  async #reopen(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopping) return;
    if (!this.#exists(this.path)) {
      this.#scheduleReopen(this.#options.pollMs ?? 50);
      return;
    }
    try {
      await this.#open(false);
      this.#reopens++;
      this.#log.info(`port ${this.path} is back`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.#lastError) this.#log.debug(message);
      this.#lastError = message;
      const wait = this.#retryMs;
      this.#retryMs = Math.min(wait * 2, this.#options.retryMaxMs ?? 1000);
      this.#scheduleReopen(wait);
    }
  }
}

/** Turn a binding's open error into one line a user can act on. */
export function describeOpenError(path: string, err: unknown): SourceError {
  const message = err instanceof Error ? err.message : String(err);
  if (/no such file|ENOENT|does not exist/i.test(message)) {
    return new SourceError(`no such port ${path}`, 'ENOENT');
  }
  if (/permission denied|EACCES|EPERM|not permitted/i.test(message)) {
    return new SourceError(
      `permission denied on ${path}: add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again)`,
      'EACCES',
    );
  }
  if (/cannot lock|locked|resource temporarily unavailable|EBUSY|busy/i.test(message)) {
    const holder = describePortHolder(path);
    return new SourceError(
      `port ${path} is busy${holder ? ` (held by ${holder})` : ''}: close the other program (or gateway) using it`,
      'EBUSY',
    );
  }
  if (/is a directory|inappropriate ioctl|not a typewriter|ENOTTY|EISDIR/i.test(message)) {
    return new SourceError(`${path} is not a serial port (${message.replace(/^Error:\s*/, '')})`, 'ENOTTY');
  }
  return new SourceError(`cannot open ${path}: ${message.replace(/^Error:\s*/, '')}`, 'EIO');
}
