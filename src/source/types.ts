/**
 * A byte source is where a camera's bytes come from: a serial port or a
 * replayed recording. The camera gives it a sink and never touches the port.
 */
import type { OpenOptions } from '@serialport/stream';

/** What a source reports to its camera. */
export interface SourceSink {
  /** Bytes read from the device, in order. */
  data(chunk: Buffer): void;
  /** The source is delivering (port opened or reopened, replay started). */
  online(): void;
  /** The source stopped delivering (unplugged, closed); `reason` is a one-line explanation, null on a clean stop. */
  offline(reason: string | null): void;
  /** The source started over from the beginning (a looping replay): decode the next bytes afresh. */
  rewind?(): void;
}

export interface ByteSource {
  /** What `/status` shows as `port`: the device path, `demo`, or `replay:<file>`. */
  readonly label: string;
  readonly online: boolean;
  /** The last problem, one line with a fix when one is known; null when healthy. */
  readonly lastError: string | null;
  /**
   * Start delivering to `sink`. Resolves once the source is open; rejects with a
   * `SourceError` when the first open fails (later failures are retried).
   */
  start(sink: SourceSink): Promise<void>;
  /** Stop delivering and release the port (flushing any recording). Idempotent. */
  stop(): Promise<void>;
  /** Send bytes to the device; rejects when the source is offline or read-only. */
  write(bytes: Uint8Array): Promise<void>;
}

/** A source that can hold back its bytes (a recording being played): what `stream=0/1` does for it. */
export interface PausableSource extends ByteSource {
  readonly paused: boolean;
  pause(): void;
  resume(): void;
}

/** Whether `source` can pause (duck-typed: any object with `pause`, `resume` and `paused`). */
export function isPausable(source: ByteSource): source is PausableSource {
  const s = source as Partial<PausableSource>;
  return typeof s.pause === 'function' && typeof s.resume === 'function' && typeof s.paused === 'boolean';
}

/** A source failure a user can act on; the message is one line, with a fix when one is known. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'ENOENT'
      | 'EACCES'
      | 'EBUSY'
      | 'ENOTTY'
      | 'EIO'
      | 'OFFLINE'
      | 'READONLY'
      /** Too many bytes already wait to be written (the device is not reading its input). */
      | 'FULL'
      /** A write was not done in time: the device is not reading its input; pending output was discarded. */
      | 'TIMEOUT',
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/**
 * A serialport binding: `@serialport/bindings-cpp` `autoDetect()` in production,
 * `MockBinding` from `@serialport/binding-mock` in tests. Taken from
 * `@serialport/stream` because `@serialport/bindings-interface` ships no types
 * for ESM resolution.
 */
export type SerialBinding = OpenOptions['binding'];
