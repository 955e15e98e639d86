/**
 * Contracts shared by every device-protocol decoder. Decoders are pure: bytes in,
 * events out, no I/O and no timers, so they can be fuzzed and benchmarked alone.
 */

/** Default upper bound for one frame (and so for a decoder's memory): 4 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Smallest `maxFrameBytes` allowed: a QQVGA JPEG is already a few kB. */
export const MIN_MAX_FRAME_BYTES = 1024;

/**
 * The one validation of `maxFrameBytes` (decoders, the library and `--max-frame-bytes`):
 * a whole number ≥ 1024. Throws a TypeError naming the option.
 */
export function checkMaxFrameBytes(value: number, option = '"maxFrameBytes"'): number {
  if (!Number.isSafeInteger(value) || value < MIN_MAX_FRAME_BYTES) {
    throw new TypeError(`${option} must be a whole number ≥ ${MIN_MAX_FRAME_BYTES}, got ${String(value)}`);
  }
  return value;
}

/** One thing a device said. */
export type DeviceEvent =
  /** A complete JPEG (`FF D8 … FF D9`), owned by the receiver: never a view into a reused buffer. */
  | { type: 'frame'; jpeg: Buffer; seq?: number; deviceTimeUs?: number }
  /** A device log line (CAMF type 02, ArduCAM `ACK CMD … END` lines, boot text). */
  | { type: 'log'; text: string }
  /** Device info (CAMF type 03 JSON object). `raw` is the text as sent. */
  | { type: 'info'; info: Record<string, unknown>; raw: string }
  /** A reply to a command (CAMF type 04: `ok`, `ok <detail>`, `error <reason>`; Mega type 06 text …). */
  | { type: 'reply'; text: string }
  /** The device restarted (CAMF seq went backwards). */
  | { type: 'restart' };

/** Counters every decoder keeps; all start at 0 and only grow. */
export interface DecoderStats {
  /** Bytes pushed into the decoder. */
  bytesIn: number;
  /** Bytes thrown away while searching for the next frame (junk, boot logs, broken frames). */
  bytesSkipped: number;
  /** Frames (JPEG images) emitted. */
  frames: number;
  /** Header or payload checksum failures (CAMF). */
  crcErrors: number;
  /** Times the decoder lost sync and searched for the next frame start. */
  resyncs: number;
  /** Frames that started but never finished (device reset mid-frame, bytes lost). */
  truncated: number;
  /** Frames (or length fields) larger than `maxFrameBytes`, discarded. */
  oversized: number;
  /** Frames the device says it produced but we never saw (CAMF seq gaps). */
  deviceDrops: number;
  /** Device restarts seen (CAMF seq went backwards). */
  deviceRestarts: number;
}

export function emptyStats(): DecoderStats {
  return {
    bytesIn: 0,
    bytesSkipped: 0,
    frames: 0,
    crcErrors: 0,
    resyncs: 0,
    truncated: 0,
    oversized: 0,
    deviceDrops: 0,
    deviceRestarts: 0,
  };
}

export interface DecoderOptions {
  /** Largest frame accepted, in bytes; bounds the decoder's memory. Default `DEFAULT_MAX_FRAME_BYTES` (4 MiB). */
  maxFrameBytes?: number;
}

/** A streaming decoder: feed it chunks of any size, get events back. */
export interface Decoder<E = DeviceEvent> {
  /** The protocol this decoder reads; for the auto decoder, `auto` until it decided. */
  readonly protocol: string;
  readonly stats: DecoderStats;
  /** Feed bytes. Returns the events completed by these bytes, in order. Never throws on any input. */
  push(chunk: Uint8Array): E[];
  /** The stream ended (port closed): count a half-received frame as truncated and forget it. */
  end(): E[];
}
