/**
 * CAMF v1: the gateway's own serial framing (see firmware-protocol.md, section "CAMF").
 *
 *   0 magic "CAMF" | 4 version 01 | 5 type | 6 flags u16 | 8 seq u32 | 12 timestamp_us u64
 *   20 length u32 | 24 header_crc u32 (CRC-32 of bytes 0..23) | 28 payload | 28+length payload_crc u32
 *
 * All integers little-endian. The decoders here are pure push decoders: bytes in, events out.
 */
import { copyInto as copyIntoImported, NO_EVENTS as NO_EVENTS_IMPORTED } from './byte-store.js';
import { crc32 as crc32Imported, crc32Js as crc32JsImported } from './crc32.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
} from './types.js';

// Hot-path helpers bound once: under a loader that compiles ESM imports to getters (tsx, used by
// `npm run bench`) a per-call namespace lookup is a measurable part of a 64-byte push.
const copyInto = copyIntoImported;
const NO_EVENTS = NO_EVENTS_IMPORTED;
const crc32 = crc32Imported;
const crc32Js = crc32JsImported;
const isBuffer = Buffer.isBuffer;

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

const MAGIC_U32 = 0x464d4143; // 'CAMF' read little-endian
const TWO_32 = 0x1_0000_0000;

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

/** A frame that passed both CRCs. `payload` is owned by the receiver. */
export interface CamfFrame {
  type: number;
  flags: number;
  seq: number;
  timestampUs: number;
  payload: Buffer;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Framing, integrity and sequence tracking shared by both directions. Subclasses turn
 * good frames into events (`onFrame`) and decide what a restart looks like (`onRestart`).
 *
 * Receiver rules (protocol-camf-v1.md): junk before a magic is skipped and counted; a bad
 * header (CRC, version, length > maxFrameBytes) or a bad payload CRC discards the frame and
 * the search restarts at the byte after its first byte, so bytes lost inside frame k never
 * cost frame k+1; seq gaps are device drops, seq going backwards a restart; unknown types
 * are skipped by length; memory is bounded by maxFrameBytes + overhead.
 */
export abstract class CamfFramer<E> {
  readonly stats: DecoderStats = emptyStats();
  /** Frames with a good CRC whose type this decoder does not handle (skipped by length). */
  unknownTypes = 0;
  /** Frames with a good CRC whose payload made no sense (bad info JSON, a type 01 that is not a JPEG). */
  badPayloads = 0;
  readonly maxFrameBytes: number;

  /**
   * Bytes carried over between pushes: a candidate that starts at stash[0] (a magic prefix,
   * a partial header, or a frame whose header checked out). When the header is valid the stash
   * is a fresh buffer of exactly the frame's size, so the payload is emitted without a copy.
   */
  #stash: Buffer = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
  /**
   * Reused stash for the next header after a frame was handed over (saves an allocation per
   * frame). Never the stash while a resync rescans an old stash: those get a fresh one.
   */
  readonly #headerStash: Buffer = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
  #stashLen = 0;
  /** Total size of the frame in the stash once its header checked out, else 0. */
  #stashFrameBytes = 0;
  #lastSeq = -1;

  constructor(options: DecoderOptions = {}) {
    const { maxFrameBytes = DEFAULT_MAX_FRAME_BYTES } = options;
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) {
      throw new TypeError(`"maxFrameBytes" must be a whole number > 0, got ${maxFrameBytes}`);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held between pushes (never more than maxFrameBytes + CAMF_OVERHEAD_BYTES). */
  get bufferedBytes(): number {
    return this.#stashLen;
  }

  protected abstract onFrame(frame: CamfFrame, out: E[]): void;
  protected abstract onRestart(out: E[]): void;

  /**
   * Feed bytes; returns the events they completed. When they complete none (most pushes of a
   * serial port's small reads) the result is one shared frozen empty array: iterate it, do not
   * mutate it.
   */
  push(chunk: Uint8Array): E[] {
    const data = asBuffer(chunk);
    const n = data.length;
    this.stats.bytesIn += n;
    // Fast path: the payload of a frame whose header checked out, and this chunk does not finish it.
    const len = this.#stashLen;
    if (this.#stashFrameBytes - len > n) {
      copyInto(this.#stash, len, data, 0, n);
      this.#stashLen = len + n;
      return NO_EVENTS as unknown as E[];
    }
    const out: E[] = [];
    let pos = 0;
    while (pos < n) {
      if (this.#stashLen === 0) {
        const rest = this.#scan(data, pos, n, out);
        if (rest < n) this.#stashTail(data, rest, n);
        break;
      }
      pos = this.#feedStash(data, pos, out);
    }
    return out.length > 0 ? out : (NO_EVENTS as unknown as E[]);
  }

  end(): E[] {
    const out: E[] = [];
    while (this.#stashLen > 0) {
      if (this.#stashFrameBytes > 0) {
        // A frame that started but never finished; what it held may still contain whole frames.
        this.stats.truncated++;
        this.#resyncFromStash(out);
      } else {
        this.stats.bytesSkipped += this.#stashLen;
        this.#stashLen = 0;
      }
    }
    return out;
  }

  /** Copy bytes into the stash until the candidate can be decided; returns the new chunk offset. */
  #feedStash(data: Buffer, pos: number, out: E[]): number {
    const need = this.#stashFrameBytes || CAMF_HEADER_BYTES;
    const take = Math.min(need - this.#stashLen, data.length - pos);
    copyInto(this.#stash, this.#stashLen, data, pos, pos + take);
    this.#stashLen += take;
    pos += take;
    if (this.#stashLen < need) {
      // Still a magic prefix? (the stash starts with one; check the bytes just added)
      if (this.#stashFrameBytes === 0 && !isMagicPrefix(this.#stash, 0, this.#stashLen))
        this.#resyncFromStash(out);
      return pos;
    }
    if (this.#stashFrameBytes === 0) {
      const total = this.#checkHeader(this.#stash, 0);
      if (total < 0) {
        this.#resyncFromStash(out);
        return pos;
      }
      const frame = Buffer.allocUnsafe(total);
      copyInto(frame, 0, this.#stash, 0, CAMF_HEADER_BYTES);
      this.#stash = frame;
      this.#stashFrameBytes = total;
      return pos;
    }
    // A whole frame is in the stash.
    if (this.#checkPayload(this.#stash, 0, this.#stashFrameBytes, out)) {
      this.#stash = this.#headerStash;
      this.#stashLen = 0;
      this.#stashFrameBytes = 0;
    } else {
      this.#resyncFromStash(out);
    }
    return pos;
  }

  /** The candidate at stash[0] failed: rescan stash[1..] (it logically precedes the rest of the chunk). */
  #resyncFromStash(out: E[]): void {
    const old = this.#stash;
    const len = this.#stashLen;
    this.stats.bytesSkipped++;
    this.#stash = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
    this.#stashLen = 0;
    this.#stashFrameBytes = 0;
    const rest = this.#scan(old, 1, len, out);
    if (rest < len) this.#stashTail(old, rest, len);
  }

  /** Keep data[from, to) — a candidate starting with a magic prefix — for the next push. */
  #stashTail(data: Buffer, from: number, to: number): void {
    const n = to - from;
    let total = 0;
    if (n >= CAMF_HEADER_BYTES) {
      total = this.#checkHeader(data, from);
      // #scan only leaves a full header behind when it checked out.
      this.#stash = Buffer.allocUnsafe(total);
    } else if (this.#stash.length < CAMF_HEADER_BYTES) {
      this.#stash = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
    }
    copyInto(this.#stash, 0, data, from, to);
    this.#stashLen = n;
    this.#stashFrameBytes = total;
  }

  /**
   * Decode every complete frame in data[from, to). Returns the offset of the first byte not
   * consumed: `to`, or the start of an incomplete candidate (magic prefix, partial header, or a
   * frame with a good header whose payload has not fully arrived).
   */
  #scan(data: Buffer, from: number, to: number, out: E[]): number {
    const stats = this.stats;
    let p = from;
    while (p < to) {
      const m = data.indexOf(CAMF_MAGIC, p);
      if (m < 0 || m + 4 > to) {
        // No magic in [p, to): keep a trailing 'C', 'CA' or 'CAM' for the next push.
        const keep = magicTail(data, p, to);
        stats.bytesSkipped += keep - p;
        return keep;
      }
      stats.bytesSkipped += m - p;
      if (to - m < CAMF_HEADER_BYTES) return m;
      const total = this.#checkHeader(data, m);
      if (total < 0) {
        stats.bytesSkipped++;
        p = m + 1;
        continue;
      }
      if (to - m < total) return m;
      if (!this.#checkPayload(data, m, total, out)) {
        stats.bytesSkipped++;
        p = m + 1;
        continue;
      }
      p = m + total;
    }
    return to;
  }

  /** Validate the 28-byte header at `at` (magic already matched). Returns the frame's total size, or -1. */
  #checkHeader(data: Buffer, at: number): number {
    const stats = this.stats;
    if (data.readUInt32LE(at) !== MAGIC_U32) {
      stats.resyncs++;
      return -1;
    }
    if (crc32Js(data, at, at + 24) !== data.readUInt32LE(at + 24)) {
      stats.crcErrors++;
      stats.resyncs++;
      return -1;
    }
    if (data[at + 4] !== CAMF_VERSION) {
      stats.resyncs++;
      return -1;
    }
    const length = data.readUInt32LE(at + 20);
    if (length > this.maxFrameBytes) {
      stats.oversized++;
      stats.resyncs++;
      return -1;
    }
    return length + CAMF_OVERHEAD_BYTES;
  }

  /** Check the payload CRC of the frame at `at` and hand it on. False when the CRC fails. */
  #checkPayload(data: Buffer, at: number, total: number, out: E[]): boolean {
    const pStart = at + CAMF_HEADER_BYTES;
    const pEnd = at + total - CAMF_TRAILER_BYTES;
    // The stash is a fresh buffer per frame, so a view of it is owned; a frame lying whole in the
    // chunk is copied out first and its CRC taken on the (cache-hot) copy.
    const view = data.subarray(pStart, pEnd);
    const payload = data === this.#stash ? view : Buffer.from(view);
    if (crc32(payload) !== data.readUInt32LE(pEnd)) {
      this.stats.crcErrors++;
      this.stats.resyncs++;
      return false;
    }
    const type = data[at + 5]!;
    const seq = data.readUInt32LE(at + 8);
    const frame: CamfFrame = {
      type,
      flags: data.readUInt16LE(at + 6),
      seq,
      timestampUs: data.readUInt32LE(at + 16) * TWO_32 + data.readUInt32LE(at + 12),
      payload,
    };
    if (this.tracksSeq(type)) this.#trackSeq(seq, out);
    this.onFrame(frame, out);
    return true;
  }

  /** Whether frames of this type take part in seq tracking (the sender's own frames). */
  protected tracksSeq(_type: number): boolean {
    return true;
  }

  #trackSeq(seq: number, out: E[]): void {
    const last = this.#lastSeq;
    this.#lastSeq = seq;
    if (last < 0) return;
    const gap = (seq - last - 1) >>> 0;
    if (gap === 0) return;
    if (gap < 0x8000_0000 && seq !== last) {
      this.stats.deviceDrops += gap;
    } else {
      this.stats.deviceRestarts++;
      this.onRestart(out);
    }
  }
}

/** Offset of a magic prefix ('C', 'CA', 'CAM') ending exactly at `to`, or `to`. */
function magicTail(data: Uint8Array, from: number, to: number): number {
  for (let k = Math.min(3, to - from); k > 0; k--) if (isMagicPrefix(data, to - k, to)) return to - k;
  return to;
}

function isMagicPrefix(data: Uint8Array, from: number, to: number): boolean {
  const n = Math.min(to - from, 4);
  for (let i = 0; i < n; i++) if (data[from + i] !== CAMF_MAGIC[i]) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8');

function isJpegStart(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/**
 * Device → host CAMF decoder (protocol `camf`): type 01 → `frame` (with `seq` and
 * `deviceTimeUs`), 02 → `log`, 03 → `info`, 04 → `reply`; type 10 (our own commands,
 * echoed back) and unknown types are skipped by length.
 */
export class CamfDecoder extends CamfFramer<DeviceEvent> implements Decoder {
  readonly protocol = 'camf' as const;

  protected override tracksSeq(type: number): boolean {
    return type !== CamfType.Command;
  }

  protected onRestart(out: DeviceEvent[]): void {
    out.push({ type: 'restart' });
  }

  protected onFrame(frame: CamfFrame, out: DeviceEvent[]): void {
    switch (frame.type) {
      case CamfType.Jpeg:
        if (!isJpegStart(frame.payload)) {
          this.badPayloads++;
          out.push({
            type: 'log',
            text: `camf: type 01 payload of ${frame.payload.length} bytes is not a JPEG, dropped`,
          });
          return;
        }
        this.stats.frames++;
        out.push({ type: 'frame', jpeg: frame.payload, seq: frame.seq, deviceTimeUs: frame.timestampUs });
        return;
      case CamfType.Log:
        out.push({ type: 'log', text: utf8.decode(frame.payload) });
        return;
      case CamfType.Info: {
        const raw = utf8.decode(frame.payload);
        const info = parseInfo(raw);
        if (info) {
          out.push({ type: 'info', info, raw });
        } else {
          this.badPayloads++;
          out.push({ type: 'log', text: `camf: device info is not a JSON object: ${raw.slice(0, 120)}` });
        }
        return;
      }
      case CamfType.Reply:
        out.push({ type: 'reply', text: utf8.decode(frame.payload) });
        return;
      case CamfType.Command:
        return;
      default:
        this.unknownTypes++;
    }
  }
}

function parseInfo(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A command a host sent (CAMF type 10), as a device sees it. */
export interface CamfCommand {
  type: 'command';
  /** The text as sent: `name` or `name=value`. */
  text: string;
  name: string;
  value?: string;
  seq: number;
  timestampUs: number;
}

/**
 * Host → device decoder, for firmware and device simulators: type 10 → `command`; every
 * other type (a device hearing itself) is skipped. Same framing rules and counters as
 * `CamfDecoder`; a seq going backwards (host restarted) yields `{ type: 'restart' }`.
 */
export class CamfCommandDecoder extends CamfFramer<CamfCommand | { type: 'restart' }> {
  protected override tracksSeq(type: number): boolean {
    return type === CamfType.Command;
  }

  protected onRestart(out: (CamfCommand | { type: 'restart' })[]): void {
    out.push({ type: 'restart' });
  }

  protected onFrame(frame: CamfFrame, out: (CamfCommand | { type: 'restart' })[]): void {
    if (frame.type !== CamfType.Command) {
      this.unknownTypes++;
      return;
    }
    const text = utf8.decode(frame.payload);
    const eq = text.indexOf('=');
    const cmd: CamfCommand = {
      type: 'command',
      text,
      name: eq < 0 ? text : text.slice(0, eq),
      seq: frame.seq,
      timestampUs: frame.timestampUs,
    };
    if (eq >= 0) cmd.value = text.slice(eq + 1);
    out.push(cmd);
  }
}
