/**
 * CAMF v1 frames on the wire (see firmware-protocol.md, section "CAMF"), and the encoder.
 *
 *   0 magic "CAMF" | 4 version 01 | 5 type | 6 flags u16 | 8 seq u32 | 12 timestamp_us u64
 *   20 length u32 | 24 header_crc u32 (CRC-32 of bytes 0..23) | 28 payload | 28+length payload_crc u32
 *
 * All integers little-endian.
 */
import { crc32, crc32Js } from './crc32.js';

/** `CAMF` in ASCII. */
export const CAMF_MAGIC: Buffer = Buffer.from('CAMF', 'latin1');
export const CAMF_VERSION = 0x01;
/** Bytes before the payload (magic … header_crc). */
export const CAMF_HEADER_BYTES = 28;
/** Bytes after the payload (payload_crc). */
export const CAMF_TRAILER_BYTES = 4;
/** Header + trailer: what CAMF adds to every payload. */
export const CAMF_OVERHEAD_BYTES = CAMF_HEADER_BYTES + CAMF_TRAILER_BYTES;

/** Frame types. */
export const CamfType = {
  /** device → host: one JPEG image. */
  Jpeg: 0x01,
  /** device → host: a log line (UTF-8). */
  Log: 0x02,
  /** device → host: device info (UTF-8 JSON object). */
  Info: 0x03,
  /** device → host: reply to a command (`ok`, `ok <detail>`, `error <reason>`). */
  Reply: 0x04,
  /** host → device: one command, `name` or `name=value`. */
  Command: 0x10,
} as const;
export type CamfType = (typeof CamfType)[keyof typeof CamfType];

export interface CamfFrameSpec {
  /** Frame type (a `CamfType` or any other byte: receivers skip unknown types). */
  type: number;
  /** Payload bytes, or text (encoded as UTF-8). */
  payload: Uint8Array | string;
  /** u32 sequence number. */
  seq: number;
  /** Sender's monotonic clock in µs (u64). Default 0. */
  timestampUs?: number | bigint;
  /** u16 flags. Default 0. */
  flags?: number;
}

function toBytes(payload: Uint8Array | string): Uint8Array {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

/** Encode one CAMF v1 frame. Throws a RangeError naming the field when a value does not fit. */
export function encodeCamfFrame(spec: CamfFrameSpec): Buffer {
  const { type, seq, flags = 0, timestampUs = 0 } = spec;
  if (!Number.isInteger(type) || type < 0 || type > 0xff)
    throw new RangeError(`"type" must be a byte, got ${type}`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff)
    throw new RangeError(`"seq" must be a u32, got ${seq}`);
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff)
    throw new RangeError(`"flags" must be a u16, got ${flags}`);
  const ts = typeof timestampUs === 'bigint' ? timestampUs : BigInt(Math.floor(timestampUs));
  if (ts < 0n || ts > 0xffff_ffff_ffff_ffffn)
    throw new RangeError(`"timestampUs" must be a u64, got ${timestampUs}`);
  const payload = toBytes(spec.payload);
  const frame = Buffer.allocUnsafe(CAMF_OVERHEAD_BYTES + payload.length);
  CAMF_MAGIC.copy(frame, 0);
  frame[4] = CAMF_VERSION;
  frame[5] = type;
  frame.writeUInt16LE(flags, 6);
  frame.writeUInt32LE(seq, 8);
  frame.writeBigUInt64LE(ts, 12);
  frame.writeUInt32LE(payload.length, 20);
  frame.writeUInt32LE(crc32Js(frame, 0, 24), 24);
  frame.set(payload, CAMF_HEADER_BYTES);
  frame.writeUInt32LE(crc32(payload), CAMF_HEADER_BYTES + payload.length);
  return frame;
}

export interface CamfEncoderOptions {
  /** First sequence number. Default 0. */
  startSeq?: number;
  /** Clock for frames sent without a timestamp, in µs. Default: µs since the encoder was created. */
  clockUs?: () => number;
}

/** A sender: numbers every frame it encodes (any type), wrapping at 2^32. */
export class CamfEncoder {
  #seq: number;
  readonly #clockUs: () => number;

  constructor(options: CamfEncoderOptions = {}) {
    const { startSeq = 0 } = options;
    if (!Number.isInteger(startSeq) || startSeq < 0 || startSeq > 0xffffffff) {
      throw new RangeError(`"startSeq" must be a u32, got ${startSeq}`);
    }
    this.#seq = startSeq;
    if (options.clockUs) {
      this.#clockUs = options.clockUs;
    } else {
      const t0 = performance.now();
      this.#clockUs = () => Math.floor((performance.now() - t0) * 1000);
    }
  }

  /** The seq the next frame will carry. */
  get nextSeq(): number {
    return this.#seq;
  }

  frame(type: number, payload: Uint8Array | string, timestampUs?: number | bigint, flags = 0): Buffer {
    const out = encodeCamfFrame({
      type,
      payload,
      seq: this.#seq,
      timestampUs: timestampUs ?? this.#clockUs(),
      flags,
    });
    this.#seq = (this.#seq + 1) >>> 0;
    return out;
  }
  jpeg(jpeg: Uint8Array, timestampUs?: number | bigint): Buffer {
    return this.frame(CamfType.Jpeg, jpeg, timestampUs);
  }
  log(text: string, timestampUs?: number | bigint): Buffer {
    return this.frame(CamfType.Log, text, timestampUs);
  }
  info(info: Record<string, unknown> | string, timestampUs?: number | bigint): Buffer {
    return this.frame(CamfType.Info, typeof info === 'string' ? info : JSON.stringify(info), timestampUs);
  }
  reply(text: string, timestampUs?: number | bigint): Buffer {
    return this.frame(CamfType.Reply, text, timestampUs);
  }
  /** A host → device command: `name` or `name=value`. */
  command(name: string, value?: string | number, timestampUs?: number | bigint): Buffer {
    return this.frame(CamfType.Command, value === undefined ? name : `${name}=${value}`, timestampUs);
  }
}
